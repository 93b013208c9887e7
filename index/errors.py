"""Errors that carry their HTTP status, so every layer can raise them and one handler renders them."""


class FolioError(Exception):
    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class BadRequest(FolioError):
    status = 400


class Unauthorized(FolioError):
    status = 401


class Forbidden(FolioError):
    status = 403


class NotFound(FolioError):
    status = 404


class TooLarge(FolioError):
    status = 413


class UnsupportedType(FolioError):
    status = 415


class Unreadable(FolioError):
    status = 422


class Unavailable(FolioError):
    status = 503
