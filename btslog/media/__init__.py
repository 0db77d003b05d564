"""The boundary to media: ffmpeg subprocesses (``ffmpeg``), PyAV probing and decoding."""
