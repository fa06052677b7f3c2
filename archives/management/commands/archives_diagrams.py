from django.core.management.base import BaseCommand

from archives.lifecycles import LIFECYCLES
from core.lifecycle import mermaid


class Command(BaseCommand):
    help = "打印档案各状态的状态图（Mermaid），docs/archives.md 中的图由此生成。"

    def add_arguments(self, parser):
        parser.add_argument("lifecycle", nargs="?", choices=sorted(LIFECYCLES))

    def handle(self, *args, lifecycle: str | None = None, **options):
        names = [lifecycle] if lifecycle else list(LIFECYCLES)
        for name in names:
            if len(names) > 1:
                self.stdout.write(f"{name}:")
            self.stdout.write(f"```mermaid\n{mermaid(LIFECYCLES[name])}\n```")
