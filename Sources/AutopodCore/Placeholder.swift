public enum AutopodCorePlaceholder {}
