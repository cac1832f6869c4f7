"""edgex-llm-agent: an EdgeX application service with small language models at the edge."""

__version__ = "0.1.0"

