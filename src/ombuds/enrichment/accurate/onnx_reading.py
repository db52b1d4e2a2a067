"""Reading with an exported accurate model: ONNX Runtime and the `tokenizers` library, no torch.

The folder's ``encoder.onnx`` or ``encoder.int8.onnx`` (``export.py``) maps token ids and their
attention mask to the mean-pooled sentence vector, so the heads read exactly what they read
after tuning. The tokenizer is the folder's ``tokenizer.json`` as transformers saved it.

A batch is tokenized once, sorted by length and cut into forward passes of texts of about the
same length (``recipe.reading_passes``), each padded only to its own longest: tweets vary from a
few tokens to the limit, and padding every pass to the batch's longest made a pass up to twice
as long.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ombuds.enrichment.accurate.recipe import INT8, ONNX_FLOAT, clean_text, reading_passes

FloatArray = npt.NDArray[np.float32]
TOKENIZER = "tokenizer.json"
#: The file of each export, in a model's folder.
EXPORTS = {ONNX_FLOAT: "encoder.onnx", INT8: "encoder.int8.onnx"}


class OnnxEncoder:
    """Texts in, mean-pooled vectors out, as the tuned ``Encoder`` gives them (to rounding)."""

    def __init__(self, session: Any, tokenizer: Any, *, max_tokens: int, threads: int) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.max_tokens = max_tokens
        self.threads = threads
        self.size = int(session.get_outputs()[0].shape[-1])
        self._last: tuple[tuple[str, ...], FloatArray] | None = None

    @classmethod
    def load(cls, model_file: Path, tokenizer_file: Path, *, max_tokens: int, threads: int) -> OnnxEncoder:
        import onnxruntime
        from tokenizers import Tokenizer

        for needed in (model_file, tokenizer_file):
            if not needed.is_file():
                raise FileNotFoundError(f"{needed.parent}: {needed.name} is missing")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only: no notes about unused initializers in the log
        # idle threads sleep instead of spinning: the cores are shared with the rest of the desk
        # (as fast or faster under load, measured; fewer CPU seconds burnt between batches)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = onnxruntime.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(tokenizer_file))
        tokenizer.enable_truncation(max_tokens)
        tokenizer.no_padding()  # each pass pads to its own longest text (below)
        return cls(session, tokenizer, max_tokens=max_tokens, threads=threads)

    def transform(self, texts: Sequence[str]) -> FloatArray:
        key = tuple(texts)
        if self._last is not None and self._last[0] == key:
            return self._last[1]  # the heads of one engine read the same batch in turn
        vectors = np.zeros((len(texts), self.size), dtype=np.float32)
        encoded = self.tokenizer.encode_batch([clean_text(text) for text in texts])
        for rows in reading_passes([len(found.ids) for found in encoded]):
            width = max(len(encoded[index].ids) for index in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for row, index in enumerate(rows):
                found = encoded[index].ids
                ids[row, : len(found)] = found
                mask[row, : len(found)] = 1
            pooled = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            vectors[rows] = pooled
        self._last = (key, vectors)
        return vectors
