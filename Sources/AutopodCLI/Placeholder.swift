public enum AutopodCLIPlaceholder {}
