import RunPodSim
print("sim")
