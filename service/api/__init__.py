"""The JSON API: one router per area."""

from fastapi import APIRouter

from service.api import browse, documents, search

router = APIRouter()
router.include_router(search.router)
router.include_router(documents.router)
router.include_router(browse.router)
