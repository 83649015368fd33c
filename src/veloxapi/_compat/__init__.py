"""The names libraries built on FastAPI import from ``fastapi._compat``.

``ModelField`` (a named ``FieldInfo``), ``Undefined``, and the annotation
predicates FastAPI uses to sort parameters, answering as FastAPI 0.165 does.
"""

from veloxapi._compat.shared import (
    PYDANTIC_VERSION_MINOR_TUPLE,
    annotation_is_pydantic_v1,
    field_annotation_is_scalar,
    field_annotation_is_scalar_sequence,
    field_annotation_is_sequence,
    is_bytes_or_nonable_bytes_annotation,
    is_bytes_sequence_annotation,
    is_pydantic_v1_model_instance,
    is_uploadfile_or_nonable_uploadfile_annotation,
    is_uploadfile_sequence_annotation,
    lenient_issubclass,
    sequence_types,
    value_is_sequence,
)
from veloxapi._compat.v2 import (
    ModelField,
    PydanticSchemaGenerationError,
    RequiredParam,
    Undefined,
    Url,
    copy_field_info,
    create_body_model,
    evaluate_forwardref,
    get_cached_model_fields,
    get_missing_field_error,
    get_model_fields,
    is_scalar_field,
    serialize_sequence_value,
    with_info_plain_validator_function,
)

__all__ = [
    "PYDANTIC_VERSION_MINOR_TUPLE",
    "ModelField",
    "PydanticSchemaGenerationError",
    "RequiredParam",
    "Undefined",
    "Url",
    "annotation_is_pydantic_v1",
    "copy_field_info",
    "create_body_model",
    "evaluate_forwardref",
    "field_annotation_is_scalar",
    "field_annotation_is_scalar_sequence",
    "field_annotation_is_sequence",
    "get_cached_model_fields",
    "get_missing_field_error",
    "get_model_fields",
    "is_bytes_or_nonable_bytes_annotation",
    "is_bytes_sequence_annotation",
    "is_pydantic_v1_model_instance",
    "is_scalar_field",
    "is_uploadfile_or_nonable_uploadfile_annotation",
    "is_uploadfile_sequence_annotation",
    "lenient_issubclass",
    "sequence_types",
    "serialize_sequence_value",
    "value_is_sequence",
    "with_info_plain_validator_function",
]
