import AutopodCLI
print("autopod")
