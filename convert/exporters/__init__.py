"""The built-in exporters. Each module is a plugin registered through the
``protocol_convert`` entry-point group, exactly as a third-party package's would be."""
