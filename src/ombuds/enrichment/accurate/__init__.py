"""The accurate analysis path: all-MiniLM-L6-v2 fine-tuned end to end on a brand's own labels.

``recipe`` (pure: the training settings, version ids, time left), ``tuning`` (fine-tuning and
reading with torch, on the CPU), ``store`` (where a brand's model lives in the data directory).
"""
