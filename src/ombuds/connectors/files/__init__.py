"""CSV and JSON Lines files as a source of mentions."""

from ombuds.connectors.files.sniff import FileFormat, FileShape, UnreadableFile, sniff_file
from ombuds.connectors.files.source import FileSource, position_of

__all__ = ["FileFormat", "FileShape", "FileSource", "UnreadableFile", "position_of", "sniff_file"]
