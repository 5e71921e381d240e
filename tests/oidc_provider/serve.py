"""Run the tests' OpenID provider: `python -m tests.oidc_provider.serve --port 8123 ...`.

Creates its SQLite database, one confidential client (authorization code, RS256 ID tokens,
consent skipped) and the given people, prints READY and serves HTTP until stopped.
"""

import argparse
import os
import socketserver
import sys
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--redirect-uri", action="append", required=True)
    # username:password:email[:name[:unverified]]
    parser.add_argument("--person", action="append", default=[])
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    Application.objects.filter(client_id=args.client_id).delete()
    Application.objects.create(
        name="AI Hiring (tests)",
        client_id=args.client_id,
        client_secret=args.client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(args.redirect_uri),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    for spec in args.person:
        username, password, email, *rest = spec.split(":")
        user, _ = User.objects.get_or_create(username=username)
        user.email = email
        user.first_name = rest[0] if rest else ""
        user.last_name = rest[1] if len(rest) > 1 else ""
        user.set_password(password)
        user.save()

    from django.core.wsgi import get_wsgi_application

    server = make_server(
        "127.0.0.1",
        args.port,
        get_wsgi_application(),
        server_class=ThreadingServer,
        handler_class=QuietHandler,
    )
    print("READY", flush=True)
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
