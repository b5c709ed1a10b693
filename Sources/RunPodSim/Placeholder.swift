public enum RunPodSimPlaceholder {}
