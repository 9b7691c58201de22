"""geomap.pipeline: the Geoparser holds what extraction needs and passes it on explicitly."""

from __future__ import annotations

import subprocess
import sys

from geomap.gazetteer import Gazetteer


def test_a_geoparser_given_its_own_pipeline_never_loads_the_default_one(gazetteer: Gazetteer):
    # In a fresh process, so that nothing else has loaded the default pipeline yet.
    code = (
        "import spacy\n"
        "from geomap.extract import nlp as geomap_nlp\n"
        "from geomap.pipeline import Geoparser\n"
        "for name in geomap_nlp.MODEL_NAMES:\n"
        "    try:\n"
        "        custom = spacy.load(name)\n"
        "        break\n"
        "    except OSError:\n"
        "        pass\n"
        "custom.add_pipe('geomap_line_breaks', before='parser')\n"
        "gp = Geoparser(nlp=custom)\n"
        "found = [m.text for m in gp.mentions('A missile strike hit the Kursk region on Monday.')]\n"
        "print(found, geomap_nlp.load_nlp.cache_info().currsize)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['Kursk region'] 0"
