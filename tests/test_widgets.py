"""nblib.widgets: the live ipywidgets face, the kernel-free HTML face, and their MIME bundle."""

import base64
import io
import json
import re
import shutil
from html.parser import HTMLParser

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from nblib import widgets
from nblib.plots import MIN_TEXT_PX
from nblib.widgets import explore, static_html

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class Recorder:
    """A plot_fn that draws a small line plot of its arguments and records every call."""

    def __init__(self):
        self.calls = []

    def __call__(self, **values):
        self.calls.append(values)
        fig, ax = plt.subplots(figsize=(2.0, 1.5))  # through pyplot: explore must close it
        slope = values.get("lr", 1.0) * (2.0 if values.get("bias", False) else 1.0)
        offset = {"relu": 0.0, "tanh": 1.0}.get(values.get("act"), 0.0) + values.get("shift", 0.0)
        ax.plot([0, 1], [offset, offset + slope])
        ax.set_ylim(-1, 5)
        return fig


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text of every <script>."""

    def __init__(self, text):
        super().__init__()
        self.tags, self.scripts, self._in_script = [], [], False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append([dict(attrs), ""])

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1][1] += data

    def find(self, tag, cls=None):
        return [
            a
            for t, a in self.tags
            if t == tag and (cls is None or cls in a.get("class", "").split())
        ]


def png_of_img(attrs):
    """The PNG bytes of an <img src="data:image/png;base64,...">."""
    prefix = "data:image/png;base64,"
    assert attrs["src"].startswith(prefix)
    return base64.b64decode(attrs["src"][len(prefix) :])


def assert_valid_png(png):
    Image.open(io.BytesIO(png)).verify()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


# --- the live face -------------------------------------------------------------------------


def test_live_widget_recomputes_the_figure_on_each_change_and_caches_frames():
    plot = Recorder()
    ex = explore(plot, alt="A line", lr=(0.5, 2.0, 4), act=["relu", "tanh"], bias=True)
    assert ex.widget.children  # builds the live interface
    assert set(ex.inputs) == {"lr", "act", "bias"}
    assert plot.calls == [{"lr": 1.0, "act": "relu", "bias": True}]  # sliders start mid-range
    [first] = Tags(ex.image.value).find("img", "nblib-explorer-frame")

    ex.inputs["lr"].value = 2.0
    assert plot.calls[-1] == {"lr": 2.0, "act": "relu", "bias": True}
    [img] = Tags(ex.image.value).find("img", "nblib-explorer-frame")
    assert png_of_img(img) != png_of_img(first)
    assert img["alt"] == "A line (lr = 2, act = relu, bias = True)"

    ex.inputs["bias"].value = False
    ex.inputs["act"].value = "tanh"
    assert plot.calls[-2:] == [
        {"lr": 2.0, "act": "relu", "bias": False},
        {"lr": 2.0, "act": "tanh", "bias": False},
    ]
    ex.inputs["act"].value = "relu"
    ex.inputs["bias"].value = True
    assert len(plot.calls) == 4  # frames seen before come from the cache
    assert Tags(ex.image.value).find("img")[0]["src"] == img["src"]
    ex.inputs["lr"].value = 1.0
    assert len(plot.calls) == 4
    assert Tags(ex.image.value).find("img")[0]["src"] == first["src"]
    assert plt.get_fignums() == []  # every figure plot_fn opened was closed


def test_live_sliders_update_on_release_only():
    ex = explore(Recorder(), lr=(0.5, 2.0, 4), shift=[0, 1, 2])
    assert ex.widget.children
    assert all(not w.continuous_update for w in ex.inputs.values())
    assert ex.inputs["shift"].options == (("0", 0), ("1", 1), ("2", 2))


# --- the static face -----------------------------------------------------------------------


def test_static_html_embeds_one_distinct_png_per_grid_point_in_row_major_order():
    plot = Recorder()
    ex = explore(plot, title="Lines", alt="A line", lr=(0.5, 2.0, 3), act=["relu", "tanh"])
    page = Tags(ex.to_html())
    [root] = page.find("div", "nblib-explorer")
    [data_script, code] = page.scripts
    assert data_script[0] == {"type": "application/json", "class": "nblib-explorer-data"}
    data = json.loads(data_script[1])
    frames = [base64.b64decode(f) for f in data["frames"]]
    assert len(frames) == ex.size == 6
    for png in frames:
        assert_valid_png(png)
    assert len(set(frames)) == 6
    # The script shows frame i * 2 + j for lr index i and act index j (row-major): check
    # each against the figure drawn for those values by a separate explorer.
    for k, (lr, act) in enumerate(
        [(lr, act) for lr in (0.5, 1.25, 2.0) for act in ("relu", "tanh")]
    ):
        assert frames[k] == explore(Recorder(), lr=[lr, 9.0], act=[act, "x"]).frame((0, 0))
    assert data["labels"] == [["0.5", "1.25", "2"], ["relu", "tanh"]]
    assert len(plot.calls) == 6  # each frame drawn once
    assert plt.get_fignums() == []

    # The script is scoped to its own container: no globals, no other element ids.
    assert root["id"].startswith("nblib-explorer-")
    assert re.findall(r'getElementById\("([^"]+)"\)', code[1]) == [root["id"]]
    assert code[1].startswith("(function () {") and code[1].rstrip().endswith("})();")
    assert "document.currentScript" in code[1]
    assert '"use strict";' in code[1]  # an undeclared name would be an error, not a global


def test_static_html_controls_image_and_alt_text():
    text = static_html(Recorder(), alt="A line", lr=(0.5, 2.0, 4), act=["relu", "tanh"], bias=False)
    page = Tags(text)
    [rng] = [a for a in page.find("input") if a["type"] == "range"]
    [box] = [a for a in page.find("input") if a["type"] == "checkbox"]
    [select] = page.find("select")
    assert rng["name"] == rng["data-control"] == "lr"
    assert (rng["min"], rng["max"], rng["step"], rng["value"]) == ("0", "3", "1", "1")
    assert rng["aria-valuetext"] == "1"
    assert select["name"] == select["data-control"] == "act"
    assert box["name"] == box["data-control"] == "bias" and "checked" not in box
    assert [a["value"] for a in page.find("option")] == ["0", "1"]
    assert text.count("<label>") == 3  # every input sits in its label
    [img] = page.find("img", "nblib-explorer-frame")
    assert img["alt"] == "A line (lr = 1, act = relu, bias = False)"
    assert img["decoding"] == "async"
    width, height = Image.open(io.BytesIO(png_of_img(img))).size
    assert (img["width"], img["height"]) == (str(width // 2), str(height // 2))  # 2x: see below


def test_frames_have_two_pixels_per_css_pixel_and_record_their_smallest_text():
    """A frame is drawn at 160 dpi and shown at 80 CSS px per inch; text the website would
    show below MIN_TEXT_PX is enlarged, and the <img> records the smallest text the frames
    draw, which the site test turns into CSS px."""

    def note(small):
        fig = Figure(figsize=(2.5, 1.5))
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1])
        if small:
            ax.text(0.5, 0.5, "small", fontsize=6.5)
        return fig

    ex = explore(note, small=False)  # a checkbox: frame 0 without the note, frame 1 with it
    assert widgets._png_size(ex.frame((0,))) == (2.5 * 160, 1.5 * 160)
    [img] = Tags(ex.to_html()).find("img", "nblib-explorer-frame")
    assert (img["width"], img["height"]) == ("200", "120")  # 2.5 x 1.5 inches at 80 px/in
    assert img["data-dpi"] == "160"
    # The note, raised from 6.5 pt to 11 px at 80 px per inch (+1 %, rounded up to 0.01 pt).
    smallest = float(img["data-smallest-font-pt"])
    assert smallest == ex.smallest_font([(1,)]) == pytest.approx(MIN_TEXT_PX * 72 / 80, rel=0.011)
    assert smallest * 80 / 72 >= MIN_TEXT_PX
    [snapshot] = Tags(ex.to_html(full=False)).find("img", "nblib-explorer-frame")
    assert snapshot["data-smallest-font-pt"] == "10"  # the shown frame's tick labels


def test_static_html_is_deterministic_and_ids_differ_between_explorers():
    a = static_html(Recorder(), lr=(0.5, 2.0, 3))
    assert a == static_html(Recorder(), lr=(0.5, 2.0, 3))
    b = static_html(Recorder(), lr=(0.5, 3.0, 3))
    ids = [Tags(t).find("div", "nblib-explorer")[0]["id"] for t in (a, b)]
    assert ids[0] != ids[1]


def test_labels_cannot_break_out_of_the_data_script():
    text = static_html(Recorder(), act=["</script><b>x", "tanh"])
    assert text.count("</script>") == 2  # the data script and the code script, nothing else
    data = json.loads(Tags(text).scripts[0][1])
    assert data["labels"] == [["</script><b>x", "tanh"]]


def test_alt_defaults_to_title_then_docstring():
    def parabola(a):
        """A parabola y = a x^2.

        More text.
        """
        fig = Figure(figsize=(2, 1.5))
        fig.add_subplot().plot([-1, 0, 1], [a, 0, a])
        return fig

    assert explore(parabola, a=(1, 2, 2)).describe((0,)) == "A parabola y = a x^2. (a = 1)"
    assert explore(parabola, title="T", a=(1, 2, 2)).alt == "T"
    assert explore(parabola, title="T", alt="Desc", a=(1, 2, 2)).alt == "Desc"


# --- the MIME bundle -----------------------------------------------------------------------


def test_mimebundle_with_every_frame_needs_no_widget():
    ex = explore(Recorder(), alt="A line", lr=(0.5, 2.0, 3))
    bundle = ex._repr_mimebundle_()
    assert "nblib-explorer-data" in bundle["text/html"]  # outside a kernel: every frame
    assert len(json.loads(Tags(bundle["text/html"]).scripts[0][1])["frames"]) == 3
    assert WIDGET_VIEW not in bundle  # no widget state saved in executed notebooks
    assert bundle["text/plain"].startswith("<Explorer of Recorder")
    assert plt.get_fignums() == []


@pytest.mark.parametrize("precompute", [True, False])
def test_mimebundle_png_is_the_starting_frame_at_the_size_drawn(precompute):
    """The book's PDF (LaTeX takes no HTML) shows an explorer as this PNG: the frame the
    controls start at, its resolution recorded so print shows it at the size it was drawn."""
    ex = explore(Recorder(), precompute=precompute, lr=(0.5, 2.0, 3), act=["relu", "tanh"])
    png = base64.b64decode(ex._repr_mimebundle_()["image/png"])
    assert_valid_png(png)
    image = Image.open(io.BytesIO(png))
    image.load()
    start = ex.frame(ex.start)
    assert image.tobytes() == Image.open(io.BytesIO(start)).tobytes()
    assert image.tobytes() != Image.open(io.BytesIO(ex.frame((0, 1)))).tobytes()
    dpi = widgets.DPI * widgets.DENSITY
    # pHYs holds whole pixels per metre: the dpi read back is within 0.5 / 39.37 of it
    assert image.info["dpi"] == pytest.approx((dpi, dpi), abs=0.02)


def test_mimebundle_snapshot_and_live_widget_when_not_precomputing():
    plot = Recorder()
    ex = explore(plot, precompute=False, lr=(0.5, 2.0, 3))
    bundle = ex._repr_mimebundle_()
    page = Tags(bundle["text/html"])
    assert len(page.find("img")) == 1 and page.scripts == []
    assert len(plot.calls) == 1
    assert bundle[WIDGET_VIEW]["model_id"] == ex.widget.model_id


def test_precompute_follows_who_runs_the_notebook(monkeypatch):
    monkeypatch.setattr(widgets, "_person_at_frontend", lambda: True)
    assert (
        "nblib-explorer-snapshot"
        in explore(Recorder(), lr=(0, 1, 2))._repr_mimebundle_()["text/html"]
    )
    monkeypatch.setattr(widgets, "_person_at_frontend", lambda: False)
    assert (
        "nblib-explorer-data" in explore(Recorder(), lr=(0, 1, 2))._repr_mimebundle_()["text/html"]
    )
    monkeypatch.undo()
    assert widgets._person_at_frontend() is False  # no kernel here


KERNEL_CODE = """
from matplotlib.figure import Figure
from nblib.widgets import explore

def line(a):
    fig = Figure(figsize=(1, 1))
    fig.add_subplot().plot([0, a])
    return fig

explore(line, a=(1, 3, 3))
"""


@pytest.mark.slow
def test_a_real_kernel_precomputes_for_headless_runs_and_not_for_a_person():
    """nbclient (the book build) sends allow_stdin=False; JupyterLab sends True."""
    manager = pytest.importorskip("jupyter_client.manager")
    km, kc = manager.start_new_kernel(kernel_name="python3")
    try:
        html = {}
        for allow_stdin in (False, True):
            results = []

            def keep(msg, results=results):
                if msg["msg_type"] == "execute_result":
                    results.append(msg["content"]["data"])

            reply = kc.execute_interactive(
                KERNEL_CODE, allow_stdin=allow_stdin, output_hook=keep, timeout=60
            )
            assert reply["content"]["status"] == "ok"
            [data] = results
            assert (WIDGET_VIEW in data) == allow_stdin  # the live widget only for a person
            html[allow_stdin] = data["text/html"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert len(json.loads(Tags(html[False]).scripts[0][1])["frames"]) == 3
    assert "nblib-explorer-snapshot" in html[True] and "<script" not in html[True]


# --- controls and validation ---------------------------------------------------------------


def test_control_grids():
    ex = explore(
        Recorder(),
        lr=(0.001, 1.0, 4, "log"),
        n=(10, 100, 10),
        x=(0, 1, 3),
        act=["relu", "tanh"],
        bias=True,
        max_frames=1000,
    )
    lr, n, x, act, bias = ex.controls
    np.testing.assert_allclose(lr.values, [0.001, 0.01, 0.1, 1.0])
    assert lr.labels == ("0.001", "0.01", "0.1", "1")
    assert n.values == tuple(range(10, 101, 10)) and all(type(v) is int for v in n.values)
    assert x.values == (0.0, 0.5, 1.0) and type(x.values[0]) is float
    assert (lr.kind, n.kind, act.kind, bias.kind) == ("slider", "slider", "dropdown", "checkbox")
    assert ex.start == (1, 4, 1, 0, 1)
    assert ex.shape == (4, 10, 3, 2, 2) and ex.size == 480


def test_labels_get_enough_digits_to_stay_distinct():
    (c,) = explore(Recorder(), lr=(1.0, 1.001, 3)).controls
    assert c.labels == ("1", "1.0005", "1.001")


@pytest.mark.parametrize(
    "spec, message",
    [
        ((0.0, 1.0, 1), r"control 'lr': n .* must be >= 2"),
        ((1.0, 0.0, 5), r"control 'lr': lo must be < hi"),
        ((1.0, 1.0, 5), r"control 'lr': lo must be < hi"),
        ((0.0, 1.0, 5, "log"), r"control 'lr': lo of a log range must be > 0"),
        ((-1.0, 1.0, 5, "log"), r"control 'lr': lo of a log range must be > 0"),
        ((0.1, 1.0, 5, "lin"), r"control 'lr': the 4th item must be 'log'"),
        ((0.0, np.inf, 5), r"control 'lr': hi must be finite"),
        ((0.0, 1.0, 2.5), r"control 'lr' must be \(lo, hi, n\)"),
        ((0.0, 1.0), r"control 'lr' must be \(lo, hi, n\)"),
        (("a", 1.0, 3), r"control 'lr' must be \(lo, hi, n\)"),
        (0.5, r"control 'lr' must be \(lo, hi, n\)"),
        ({"lo": 0}, r"control 'lr' must be \(lo, hi, n\)"),
        ([0.1], r"control 'lr' needs at least 2 values"),
        ([], r"control 'lr' needs at least 2 values"),
        ([0.1, 0.1], r"control 'lr': the values must be distinct"),
        ([0.1, None], r"control 'lr': a list of values must hold numbers or strings"),
        ([0.1, np.nan], r"control 'lr': value must be finite"),
    ],
)
def test_bad_control_specs_raise_value_error_naming_the_control(spec, message):
    with pytest.raises(ValueError, match=message):
        explore(Recorder(), lr=spec)


def test_no_controls_and_bad_arguments():
    with pytest.raises(ValueError, match="at least one control"):
        explore(Recorder())
    with pytest.raises(TypeError, match="plot_fn must be callable"):
        explore("not a function", lr=(0, 1, 2))
    with pytest.raises(ValueError, match="max_frames must be >= 1"):
        explore(Recorder(), lr=(0, 1, 2), max_frames=0)


def test_grid_cap_names_the_controls_and_the_grid_size():
    with pytest.raises(ValueError, match=r"lr \(11\) x beta \(11\) has 121 points.*max_frames=120"):
        explore(Recorder(), lr=(0.0, 1.0, 11), beta=(0.0, 1.0, 11))
    with pytest.raises(ValueError, match=r"lr \(20\) x bias \(2\) has 40 points.*max_frames=30"):
        explore(Recorder(), lr=(0.0, 1.0, 20), bias=True, max_frames=30)
    assert explore(Recorder(), lr=(0.0, 1.0, 11), beta=(0.0, 1.0, 11), max_frames=121).size == 121


def test_plot_fn_must_return_a_figure_and_its_figures_are_closed_even_on_error():
    def forgets_return(lr):
        plt.subplots()

    ex = explore(forgets_return, lr=(0, 1, 2))
    with pytest.raises(TypeError, match="plot_fn must return a matplotlib Figure, got NoneType"):
        ex.to_html()
    assert plt.get_fignums() == []


# --- the first frame has no empty panel ----------------------------------------------------


def test_empty_panels_finds_panels_without_data_across_them():
    fig = Figure(figsize=(8, 6))
    axes = fig.subplots(3, 3).ravel()
    x = np.linspace(0, 1, 50)
    axes[0].plot(x, x**2)  # a curve: data
    axes[1].scatter(x, np.sin(x))  # markers
    axes[2].bar([1, 2, 3], [3, 1, 2])  # bars
    axes[3].imshow(np.eye(3))  # an image
    axes[4].contour(np.add.outer(x, x))  # contours
    axes[5].set(title="stub", xlim=(0, 400), ylim=(1e-8, 1e4), yscale="log")
    axes[5].plot([0, 1, 2, 3], [12.5, 625, 794, 9.5e4])  # diverged: 2 of 400 steps in view
    axes[6].axhline(1.0)  # a reference line and a band are not data
    axes[6].axvspan(0.2, 0.4)
    axes[7].plot([5.0], [1.0], "o")  # one point spans nothing
    axes[8].axis("off")  # a diagram without axes is not checked
    assert widgets.empty_panels(fig) == ["stub", "panel 7", "panel 8"]
    axes[5].set_xlim(0, 30)  # the same run on 30 steps fills 2/30 > MIN_DATA_SPAN of the panel
    assert widgets.empty_panels(fig) == ["panel 7", "panel 8"]


def test_the_first_frame_of_an_explorer_may_not_have_an_empty_panel():
    def loss_curve(lr):
        """Loss against step; a large step stops the run at once."""
        fig = Figure(figsize=(2, 1.5))
        ax = fig.add_subplot(xlim=(0, 100), title="Loss")
        steps = 100 if lr < 1 else 1
        ax.plot(np.arange(steps + 1), np.exp(-lr * np.arange(steps + 1)))
        return fig

    assert explore(loss_curve, lr=[0.1, 0.5, 2.0]).frames()  # the middle value starts: fine
    blank = explore(loss_curve, lr=[0.5, 2.0, 3.0])  # starts at lr = 2.0
    with pytest.raises(ValueError, match=r"loss_curve \(lr = 2\.0\).*no data: \['Loss'\]"):
        blank.to_html()
    assert plt.get_fignums() == []
    assert blank.frame((2,))  # lr = 3.0 is empty too, but only the first frame is a default


def test_png_bytes_is_small_lossless_enough_and_deterministic():
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    x = np.linspace(0, 6, 300)
    ax.plot(x, np.sin(x))
    ax.plot(x, np.cos(x))
    png = widgets.png_bytes(fig, dpi=80)
    assert png == widgets.png_bytes(fig, dpi=80)
    full = io.BytesIO()
    fig.savefig(full, format="png", dpi=80)
    assert len(png) < 0.6 * len(full.getvalue())
    a = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)
    b = np.asarray(Image.open(full).convert("RGB"), dtype=float)
    assert a.shape == b.shape and np.abs(a - b).mean() < 2.0


# --- the script, in a browser --------------------------------------------------------------


@pytest.fixture(scope="module")
def browser_page():
    sync_api = pytest.importorskip("playwright.sync_api")
    system = next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
    )
    with sync_api.sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=system, args=["--no-sandbox"])
        except sync_api.Error as exc:
            pytest.skip(f"no headless Chromium: {exc}")
        yield browser.new_page()
        browser.close()


@pytest.mark.browser
def test_static_controls_swap_frames_in_a_browser(browser_page):
    page, errors = browser_page, []
    page.on("pageerror", lambda e: errors.append(str(e)))
    ex = explore(Recorder(), alt="A line", lr=(0.5, 2.0, 3), act=["relu", "tanh"], bias=False)
    text = ex.to_html()
    page.set_content(f"<html><body>{text}{text}</body></html>")  # two copies, one page
    first, second = page.locator(".nblib-explorer").all()
    frame = first.locator("img.nblib-explorer-frame")

    def src(index):
        return "data:image/png;base64," + base64.b64encode(ex.frame(index)).decode("ascii")

    def shown(index):
        return frame.get_attribute("src") == src(index)

    assert shown((1, 0, 0))
    first.locator('[data-control="lr"]').focus()
    page.keyboard.press("ArrowRight")
    assert shown((2, 0, 0))
    assert first.locator("output").text_content() == "2"
    first.locator('[data-control="act"]').select_option("1")
    first.locator('[data-control="bias"]').check()
    assert shown((2, 1, 1))
    assert frame.get_attribute("alt") == "A line (lr = 2, act = tanh, bias = True)"
    assert first.locator('[data-control="lr"]').get_attribute("aria-valuetext") == "2"
    # The copy beside it has its own controls: it did not move, and it moves alone.
    assert second.locator("img").get_attribute("src") == src((1, 0, 0))
    second.locator('[data-control="lr"]').focus()
    page.keyboard.press("ArrowLeft")
    assert second.locator("img").get_attribute("src") == src((0, 0, 0))
    assert shown((2, 1, 1))
    assert errors == []
