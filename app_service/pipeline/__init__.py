"""Pipelines: Context, the runner, the function registry and the built-in functions."""
from .context import DEFAULT_PIPELINE_ID, Context, PipelineFn
from .registry import (Parameters, build_pipelines, find_factory, register_function,
                       registered_functions)
from .runner import Pipeline, PipelineResult, run_pipeline

__all__ = ["Context", "PipelineFn", "DEFAULT_PIPELINE_ID", "Pipeline", "PipelineResult",
           "run_pipeline", "register_function", "registered_functions", "find_factory",
           "build_pipelines", "Parameters"]
