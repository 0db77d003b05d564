# btslog: `make demo` and `make test` work on a fresh machine with only Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := demo

.PHONY: demo test install clean-demo bench

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("btslog needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q

clean-demo:
	rm -rf $(DEMO)

# The main job on the sample shoot, end to end.
demo: $(STAMP) clean-demo
	$(BIN)/btslog init $(DEMO) --name "Making of: sample shoot" --rate 23.976
	$(BIN)/btslog --project $(DEMO) ingest sample_clips/cardA --camera A --roll A001 --operator Mara
	$(BIN)/btslog --project $(DEMO) ingest sample_clips/cardB --camera B --roll B001 --operator Jun
	$(BIN)/btslog --project $(DEMO) clips
	$(BIN)/btslog --project $(DEMO) verify
	$(BIN)/btslog --project $(DEMO) log import sample_clips/logsheet.csv
	$(BIN)/btslog --project $(DEMO) log import sample_clips/notes.txt --camera A
	$(BIN)/btslog --project $(DEMO) tag A001C002 14:03:47:06 14:03:48:22 --kind conversation --who Eileen --note "Eileen jokes with the crew"
	$(BIN)/btslog --project $(DEMO) takes
	$(BIN)/btslog --project $(DEMO) export markers --format resolve-edl --all -o $(DEMO)/exports/resolve
	$(BIN)/btslog --project $(DEMO) export markers --format premiere-xml --all -o $(DEMO)/exports/premiere.xml
	$(BIN)/btslog --project $(DEMO) export markers --format fcpxml --all -o $(DEMO)/exports/finalcut.fcpxml
	$(BIN)/btslog --project $(DEMO) export markers --format avid --all -o $(DEMO)/exports/avid
	$(BIN)/btslog --project $(DEMO) export markers --format otio --all -o $(DEMO)/exports/markers.otio
	$(BIN)/btslog --project $(DEMO) export markers --format csv --all -o $(DEMO)/exports/markers.csv
	$(BIN)/btslog --project $(DEMO) people add "Eileen Collins" --role actor --consent released --release-ref REL-001 --signed 2026-11-19 --photo sample_clips/people/eileen.jpg
	$(BIN)/btslog --project $(DEMO) people add "Grace Hopper" --role "script supervisor" --consent opted_out --photo sample_clips/people/grace.jpg
	$(BIN)/btslog --project $(DEMO) people
	$(BIN)/btslog --project $(DEMO) faces scan --all
	$(BIN)/btslog --project $(DEMO) faces
	$(BIN)/btslog --project $(DEMO) blur A001C001 -o $(DEMO)/renders/A001C001_blurred.mp4
	$(BIN)/btslog --project $(DEMO) analyze --all
	$(BIN)/btslog --project $(DEMO) sync --report
	$(BIN)/btslog --project $(DEMO) suggestions
	$(BIN)/btslog --project $(DEMO) suggestions accept --all --kind conversation
	$(BIN)/btslog --project $(DEMO) tags --kind conversation
	$(BIN)/btslog --project $(DEMO) cut new making_of --select "kind:take,flub,conversation -ng" --handles 6f --max-segment 6s
	$(BIN)/btslog --project $(DEMO) cut show making_of
	$(BIN)/btslog --project $(DEMO) render making_of --preset featurette-1080p -o $(DEMO)/renders/making_of.mp4
	$(BIN)/btslog --project $(DEMO) export timeline --cut making_of --format edl -o $(DEMO)/exports/making_of.edl
	$(BIN)/btslog --project $(DEMO) export timeline --cut making_of --format premiere-xml -o $(DEMO)/exports/making_of.xml
	$(BIN)/btslog --project $(DEMO) export timeline --cut making_of --format fcpxml -o $(DEMO)/exports/making_of.fcpxml
	$(BIN)/btslog --project $(DEMO) export timeline --cut making_of --format otio -o $(DEMO)/exports/making_of.otio
	$(BIN)/btslog --project $(DEMO) review build -o $(DEMO)/review
	@echo "review page: open $(DEMO)/review/index.html (read-only), or let reviewers write back with: $(BIN)/btslog --project $(DEMO) review serve"
