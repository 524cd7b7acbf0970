"""`python3 dev.py workbook`: language from the locale, student copies by default, options passed on."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("simkit_dev", ROOT / "dev.py")
dev = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dev)


def test_the_system_locale_picks_the_language():
    assert dev.system_language({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert dev.system_language({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}) == "zh"
    assert dev.system_language({"LANG": "en_GB.UTF-8"}) == "en"
    assert dev.system_language({"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"


def test_student_copies_open_at_lesson_0_by_default():
    cmd = dev.workbook_command("zh", instructor=False, no_browser=True, rest=[], root=False)
    assert f"--ServerApp.root_dir={ROOT / 'notebooks' / 'student' / 'zh'}" in cmd
    assert "--LabApp.default_url=/lab/tree/00-start-here.ipynb" in cmd  # also with --no-browser
    assert "--no-browser" in cmd and "--allow-root" not in cmd
    inst = dev.workbook_command("en", instructor=True, no_browser=False, rest=[], root=False)
    assert f"--ServerApp.root_dir={ROOT / 'notebooks' / 'en'}" in inst


def test_jupyterlab_options_are_passed_on_and_root_is_allowed(monkeypatch):
    seen = {}
    monkeypatch.setattr(dev, "setup", lambda: None)
    monkeypatch.setattr(dev, "_write_lab_overrides", lambda: None)
    monkeypatch.setattr(dev, "_run", lambda cmd: seen.setdefault("cmd", cmd) and 0)
    dev.main(["workbook", "--lang", "zh", "--port", "8890", "--no-browser"])
    cmd = seen["cmd"]
    assert cmd[cmd.index("--port") + 1] == "8890" and "--no-browser" in cmd
    assert "student" in next(c for c in cmd if c.startswith("--ServerApp.root_dir"))
    # Kernels on Unix sockets, as simkit workbook starts them (simkit/cli/kernels.py).
    from jupyter_core.paths import jupyter_runtime_dir

    from simkit.cli.kernels import fits_ipc
    assert ("--KernelManager.transport=ipc" in cmd) == fits_ipc(jupyter_runtime_dir())
    root = dev.workbook_command("en", False, False, [], root=True)
    assert root.count("--allow-root") == 1
    assert dev.workbook_command("en", False, False, ["--allow-root"], root=True) \
        .count("--allow-root") == 1


def test_no_news_popup_setting():
    assert dev.LAB_OVERRIDES["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"


def test_the_app_opens_in_the_system_language_too(monkeypatch):
    seen = {}

    class Proc:
        def __init__(self, cmd, cwd):
            seen["cmd"] = cmd

        def wait(self):
            return 0

    monkeypatch.setattr(dev, "setup", lambda: None)
    monkeypatch.setattr(dev.subprocess, "Popen", Proc)
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    dev.main(["app"])
    assert seen["cmd"][seen["cmd"].index("--lang") + 1] == "zh"
    dev.main(["app", "--lang", "en"])
    assert seen["cmd"][seen["cmd"].index("--lang") + 1] == "en"


def test_test_and_notebooks_pass_their_options_on(monkeypatch):
    """docs/development.md's `dev.py test -- -k engine` and docs/workbook.md's
    `dev.py notebooks --all` (before: pytest was given `-- -k engine`, i.e. two file names,
    and `--all` was refused as an unrecognized argument)."""
    seen = []
    monkeypatch.setattr(dev, "setup", lambda: None)
    monkeypatch.setattr(dev, "_run", lambda cmd: seen.append(cmd) or 0)
    dev.main(["test", "--workers", "0", "--", "-k", "engine"])
    assert seen[-1][-2:] == ["-k", "engine"] and "--" not in seen[-1] and "-n" not in seen[-1]
    dev.main(["notebooks", "--all"])
    assert seen[-1][-2:] == ["build", "--all"]
    dev.main(["notebooks", "--", "--all"])
    assert seen[-1][-2:] == ["build", "--all"]
