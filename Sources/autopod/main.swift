import AutopodCLI

AutopodCommand.main()
