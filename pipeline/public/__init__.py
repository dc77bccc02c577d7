"""An SNA from public data alone: official public files -> the data contracts.

``python -m pipeline.public --config config/public.yaml`` writes every raw input of the
configuration (see :mod:`pipeline.public.build` and docs/public-data.md).
"""

from pipeline.public.build import build_public_inputs, write_public_inputs
from pipeline.public.configuration import PublicBuildError, output_paths, source_files

__all__ = [
    "PublicBuildError",
    "build_public_inputs",
    "output_paths",
    "source_files",
    "write_public_inputs",
]
