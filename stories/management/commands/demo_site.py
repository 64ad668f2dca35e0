import time

from django.core.management.base import BaseCommand

from stories.demo import site


class Command(BaseCommand):
    help = "Serve the demo article on 127.0.0.1, advancing a version every N seconds."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--every", type=float, default=60.0, help="Seconds between versions."
        )

    def handle(self, *args, port: int, every: float, **options) -> None:
        server, page, url = site.serve(port=port)
        self.stdout.write(
            f"Demo site serving version 1 of {len(page.versions)} at {url}"
        )

        def announce(number: int) -> None:
            self.stdout.write(f"Demo site now serves version {number}", ending="\n")
            self.stdout.flush()

        try:
            site.advance_forever(page, every, announce)
            self.stdout.write("Demo site reached its last version; still serving it.")
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            server.shutdown()
