"""One module per quirky site; a well-structured site needs none (``parser = "generic"``)."""
