#!/usr/bin/env bash
# `npm start`: executes the quickstart notebook on tslab, records its run in the project registry,
# writes an HTML report, and says where everything is and how to open it in Jupyter.
set -euo pipefail
cd "$(dirname "$0")/../.."
labbook() { node kernel-lib/dist/cli/main.js "$@"; }
out=.labbook/quickstart
db=.labbook/labbook.db
labbook nbtest notebooks/01-quickstart.ipynb --out "$out" --db "$db" --no-repro
labbook report --experiment quickstart-penguins --db "$db" -o "$out/report.html" > /dev/null
spec=$(labbook kernelspec --json)
jupyter_path=$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).jupyterPath)' "$spec")
cat <<TEXT

executed notebook  $out/01-quickstart.ipynb
registry           $db   (npx labbook runs; npx labbook show ID)
report             $out/report.html
open in Jupyter    JUPYTER_PATH=$jupyter_path jupyter notebook notebooks/   (kernel "TypeScript (labbook)";
                   Jupyter itself: apt-get install jupyter-notebook, or pip install notebook)
TEXT
