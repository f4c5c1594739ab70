"""The built-in readers, registered as plugins like the exporters."""
