"""Extra schemathesis check for drmock: an error envelope with code 500 is a server error even though,
by the project's decision 2, it arrives with HTTP status 200."""
import schemathesis


@schemathesis.check
def no_internal_error_envelope(ctx, response, case):
    try:
        body = response.json()
    except Exception:
        return None
    if isinstance(body, dict) and isinstance(body.get("error"), dict) and body["error"].get("code") == 500:
        raise AssertionError(f"internal error envelope: {body['error']}")
    return None
