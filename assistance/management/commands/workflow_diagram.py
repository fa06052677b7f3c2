from django.core.management.base import BaseCommand

from assistance.workflow import WORKFLOWS, mermaid


class Command(BaseCommand):
    help = "打印审核流程的状态图（Mermaid），docs/workflow.md 中的图由此生成。"

    def add_arguments(self, parser):
        parser.add_argument("variant", choices=sorted(WORKFLOWS))

    def handle(self, *args, variant: str, **options):
        self.stdout.write(mermaid(variant))
