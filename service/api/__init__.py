"""The JSON API: one router per area."""

from fastapi import APIRouter

from service.api import browse, copies, documents, export, identities, search

router = APIRouter()
router.include_router(search.router)
router.include_router(documents.router)
router.include_router(browse.router)
router.include_router(copies.router)
router.include_router(export.router)
router.include_router(identities.router)
