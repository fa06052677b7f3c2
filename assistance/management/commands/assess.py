import json
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assistance.assessment import assess_raw_case


class Command(BaseCommand):
    help = "按 ASSESS.md 评估一个（JSON 对象）或多个（JSON 数组）家庭案例。FILE 为 - 时读标准输入。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON 文件路径，或 - 表示标准输入")
        parser.add_argument(
            "--region", default=settings.DEFAULT_POLICY_REGION, help="政策地区（默认 %(default)s）"
        )

    def handle(self, *args, file: str, region: str, **options):
        try:
            if file == "-":
                text = sys.stdin.read()
            else:
                with open(file, encoding="utf-8") as handle:
                    text = handle.read()
            data = json.loads(text)
        except OSError as exc:
            raise CommandError(f"无法读取文件 {file}：{exc.strerror}", returncode=2) from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"输入不是有效的 UTF-8 JSON：{exc}", returncode=2) from exc

        cases = data if isinstance(data, list) else [data]
        results = [assess_raw_case(case, region=region) for case in cases]
        invalid = [result for result in results if "error" in result]
        output = results if isinstance(data, list) else results[0]
        self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2))
        for result in invalid:
            error = result["error"]
            self.stderr.write(
                f"案例 {result['id']!r} 无效：字段 {error['field']}：{error['message']}"
            )
        if invalid:
            raise CommandError(f"{len(invalid)} 个案例输入无效，未予评估。", returncode=2)
