"""The read API under /api/v1/ (django-ninja): schema at /api/v1/openapi.json, docs
at /api/v1/docs. Operations live in endpoints.py, authentication in auth.py."""

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from stories import exports
from stories.api.auth import PrincipalRateThrottle, TokenAuth
from stories.api.endpoints import router


class _Encoder(exports.PreciseJSONEncoder, NinjaJSONEncoder):
    pass


class _Renderer(JSONRenderer):
    encoder_class = _Encoder


api = NinjaAPI(
    renderer=_Renderer(),
    title="Newsroom API",
    version="1",
    description=(
        "Read access to every story, article, version, change and figure Newsroom "
        "has recorded. Send `Authorization: Bearer <token>` (tokens: /account/tokens/)"
        "; without one you may read only while stories are public."
    ),
    urls_namespace="api-v1",
    auth=TokenAuth(),
    throttle=[PrincipalRateThrottle()],
)
api.add_router("/", router)
