"""The `homecoming` command: serve, db upgrade, staff create, people import/export, results
export, chat."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from bot import logs
from bot.config import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="homecoming", description="Homecoming engagement service")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="apply migrations and run the web service")
    serve.add_argument(
        "--demo", action="store_true", help="add demo data and allow running without a secret key"
    )
    serve.add_argument("--host", default=os.environ.get("HOMECOMING_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("HOMECOMING_PORT", "8000")))

    db = commands.add_parser("db", help="database commands")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply all migrations")

    staff = commands.add_parser("staff", help="staff accounts")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True)
    create = staff_commands.add_parser("create", help="create a staff account")
    create.add_argument("--email", required=True)
    create.add_argument("--name", default="")
    create.add_argument("--role", default="facilitator", choices=["admin", "facilitator", "viewer"])
    create.add_argument(
        "--password", help="better: set HOMECOMING_STAFF_PASSWORD, or type it when asked"
    )

    people = commands.add_parser("people", help="bring people in from a list, or take them out")
    people_commands = people.add_subparsers(dest="people_command", required=True)
    bring = people_commands.add_parser(
        "import", help="import people from a CSV or XLSX file (checked before anything is written)"
    )
    bring.add_argument("file", help="the .csv or .xlsx file; its first row holds the headings")
    bring.add_argument(
        "--map", action="append", default=[], metavar="HEADING=FIELD",
        help="map a column by its heading (or 1-based number) to a field; FIELD empty leaves it out",
    )  # fmt: skip
    bring.add_argument("--check", action="store_true", help="only check and report; write nothing")
    take = people_commands.add_parser("export", help="export people as CSV or XLSX")
    take.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    take.add_argument("--out", help="the file to write (default: standard output)")
    take.add_argument(
        "--identities", action="store_true",
        help="names and phone numbers instead of pseudonyms (recorded in the audit log)",
    )  # fmt: skip
    for name in ("district", "status", "role", "language", "cohort"):
        take.add_argument(f"--{name}", default="", help=f"only people with this {name}")

    results = commands.add_parser("results", help="follow-up results")
    results_commands = results.add_subparsers(dest="results_command", required=True)
    out = results_commands.add_parser(
        "export", help="every answer in long format (CSV), pseudonymised as the admin's export"
    )
    out.add_argument("--out", help="the file to write (default: standard output)")

    chat = commands.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument(
        "--as", dest="who", default="terminal", help="who you are (a new name starts anew)"
    )

    args = parser.parse_args(argv)
    logs.configure(os.environ.get("HOMECOMING_LOG_FORMAT", "text"))
    if args.command == "serve":
        return _serve(args)
    if args.command == "db":
        from bot.db import upgrade

        upgrade(Settings().database_url)
        print("database is up to date")
        return 0
    if args.command == "staff":
        return _staff_create(args)
    if args.command == "people":
        from bot.people.command_line import export_people, import_people

        settings = Settings()
        if args.people_command == "import":
            return import_people(settings, args.file, args.map, check_only=args.check)
        return export_people(settings, args)
    if args.command == "results":
        from bot.results.command_line import export_results

        return export_results(Settings(), args.out)
    return _chat(args)


def _serve(args) -> int:
    import uvicorn

    from bot.app import create_app
    from bot.db import upgrade

    settings = Settings(demo=True) if args.demo else Settings()
    try:
        settings.signing_key()
    except RuntimeError as error:
        print(f"homecoming: {error} (or run with --demo)", file=sys.stderr)
        return 2
    upgrade(settings.database_url)
    if args.demo:
        from bot.demo import seed_demo
        from bot.services import build_services

        services = build_services(settings)
        seed_demo(services)
        services.dispose()
    uvicorn.run(
        create_app(settings), host=args.host, port=args.port, proxy_headers=True,
        # JSON lines: uvicorn's own loggers go through ours, not its formatter.
        **({"log_config": None} if settings.log_format == "json" else {}),
    )  # fmt: skip
    return 0


def _staff_create(args) -> int:
    from bot.db import make_engine, transaction, upgrade
    from bot.staff import create_staff

    password = args.password or os.environ.get("HOMECOMING_STAFF_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            print("homecoming: give --password or HOMECOMING_STAFF_PASSWORD", file=sys.stderr)
            return 2
        password = getpass.getpass("Password (10 characters or more): ")
    settings = Settings()
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with transaction(engine) as session:
            staff = create_staff(session, args.email, args.name, password, args.role)
            print(f"created {staff.role} {staff.email}")
    except ValueError as error:
        print(f"homecoming: {error}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0


def _chat(args) -> int:
    from bot.db import upgrade
    from bot.messaging.terminal_chat import run_chat
    from bot.services import build_services

    settings = Settings()
    upgrade(settings.database_url)
    services = build_services(settings)
    try:
        return asyncio.run(run_chat(services, args.who, sys.stdin, sys.stdout))
    finally:
        services.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
