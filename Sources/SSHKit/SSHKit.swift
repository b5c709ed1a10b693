public enum SSHKitPlaceholder {}
