"""veloxapi: FastAPI's API on a compiled request pipeline, with production batteries."""

from veloxapi import status as status
from veloxapi._version import __version__ as __version__
from veloxapi.applications import FastAPI, VeloxAPI
from veloxapi.background import BackgroundTasks
from veloxapi.datastructures import UploadFile
from veloxapi.exceptions import HTTPException, WebSocketException
from veloxapi.param_functions import (
    Body,
    Cookie,
    Depends,
    File,
    Form,
    Header,
    Path,
    Query,
    Security,
)
from veloxapi.requests import Request
from veloxapi.responses import Response
from veloxapi.routing import APIRouter
from veloxapi.websockets import WebSocket, WebSocketDisconnect

__all__ = [
    "APIRouter",
    "BackgroundTasks",
    "Body",
    "Cookie",
    "Depends",
    "FastAPI",
    "File",
    "Form",
    "HTTPException",
    "Header",
    "Path",
    "Query",
    "Request",
    "Response",
    "Security",
    "UploadFile",
    "VeloxAPI",
    "WebSocket",
    "WebSocketDisconnect",
    "WebSocketException",
    "status",
]
