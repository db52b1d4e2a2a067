"""CSV and JSON Lines files as fetchers of mentions."""

from ombuds.connectors.files.fetcher import FileFetcher, position_of
from ombuds.connectors.files.sniff import FileFormat, FileShape, UnreadableFile, sniff_file

__all__ = ["FileFetcher", "FileFormat", "FileShape", "UnreadableFile", "position_of", "sniff_file"]
