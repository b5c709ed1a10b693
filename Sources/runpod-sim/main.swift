import RunPodSim

// Everything lives in the library so tests can run the same code in-process.
RunPodSimCommand.main()
