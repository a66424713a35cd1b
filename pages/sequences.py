"""Gradients through time: why a plain RNN forgets, and how the LSTM's and GRU's gates keep the
path open, measured live on the backward signal ‖∂L/∂h_t‖ at every time step."""

import streamlit as st

from engine.core.i18n import _
from engine.sequences import presets, probes, texts
from pages._common import present
from pages._common.downloads import made_later
from pages._common.guard import friendly_errors
from pages._common.keys import sequences as K
from pages._common.navigation import ensure_app_entry
from pages._sequences import runs, tables, urlstate, widgets
from viz import sequence_plots as plots

ensure_app_entry()  # before anything is drawn: see pages/_common/navigation.py

st.title(_("Gradients through time"))
st.caption(
    _(
        "A recurrent network learns from the signal that flows back through time, step by step. "
        "Watch it vanish in a plain RNN, explode when the recurrent matrix is too large, and stay "
        "open through the LSTM's forget gate and the GRU's update gate."
    )
)
for note in urlstate.restore():
    st.warning(note, icon=":material/link_off:")

active = st.session_state[K.PRESET.key]
for col, name in zip(st.columns(len(presets.names())), presets.names(), strict=True):
    col.button(
        _(presets.get(name).label),
        key=f"sq_btn_{name}",
        help=_(presets.get(name).title),
        on_click=urlstate.apply_preset,
        args=(name,),
        type="primary" if name == active else "secondary",
        width="stretch",
    )
intro = st.empty()

with st.sidebar:
    widgets.sidebar()


def story(s, first: dict, trained: dict | None = None) -> None:
    """The active preset's text, with the numbers measured so far."""
    if active not in presets.PRESETS:
        return
    note = " *" + _("You have changed settings since picking this experiment.") + "*"
    text = texts.describe(active, s, first, trained) + (note if urlstate.preset_changed() else "")
    intro.info(f"**{_(presets.get(active).title)}.** {text}", icon=":material/school:")


with friendly_errors(_("Building the networks")):
    s = urlstate.settings()
    first = runs.initial(s)
    story(s, first)

    st.header(_("At initialisation"))
    series = [(runs.title(c), plots.cell_color(c), p.grad_h) for c, p in first.items()]
    predicted = [
        (_("RNN (tanh): ρ × mean tanh′ per step"), plots.cell_color(c), probes.predicted_rate(p))
        for c, p in first.items()
        if c == "rnn_tanh"
    ]
    present.chart(st, plots.signal_profile(series, predicted), key="sq_profile")
    st.markdown("\n".join(f"- {texts.rate_sentence(c, p)}" for c, p in first.items()))

    st.header(_("Training"))
    trained, stopped = runs.train(s)
    if stopped:
        done = _(", ").join(
            _("{cell} after {steps} steps").format(cell=runs.title(c), steps=h.steps)
            for c, h in trained.items()
        )
        st.info(
            _("Stopped ({done}); showing what was recorded.").format(done=done),
            icon=":material/stop_circle:",
        )
        st.button(_("Train again"), key="sq_train_again", on_click=runs.train_again)
    if trained:
        for c, h in trained.items():
            if h.diverged_at >= 0:
                st.warning(
                    _(
                        "{cell} diverged at step {step}: the loss or the gradient became "
                        "infinite. Everything recorded before is shown; try clipping."
                    ).format(cell=runs.title(c), step=h.diverged_at),
                    icon=":material/warning:",
                )
        present.chart(st, runs.curves_figure(s, trained), key="sq_curves")
        st.caption(
            _(
                "‖∂L/∂h_t‖ on the probe batch as training goes on (one colour scale for all cells): "
                "a fade to the left is the vanishing gradient, a blow-up is the exploding one."
            )
        )
        probed = {c: h for c, h in trained.items() if len(h.probe_steps)}
        zrange = plots.heatmap_range(*(h.grad_h for h in probed.values())) if probed else None
        for col, (c, h) in zip(st.columns(max(1, len(probed))), probed.items(), strict=False):
            title = f"{runs.title(c)}: ‖∂L/∂h_t‖"
            fig = plots.time_heatmap(h.probe_steps, h.grad_h, title, zrange)
            present.chart(col, fig, key=f"sq_heat_{c}")
        story(s, first, trained)

    st.header(_("Connectivity"))
    st.caption(
        _(
            "How strongly each input x_t moves the output at position τ, ‖∂ŷ_τ/∂x_t‖ (Distill's "
            "connectivity view, Madsen 2019), on one sequence of the probe batch."
        )
    )
    position = widgets.position_slider(s.T)
    rows = runs.connectivity_rows(s, position, trained if not stopped else None)
    tokens, marks = runs.display(s)
    title = _("Connectivity to the output at τ = {position}").format(position=position)
    fig = plots.connectivity_strip(rows, tokens, position, title, marks)
    present.chart(st, fig, key="sq_connectivity")

    st.download_button(
        _("Download the probes through time (CSV)"),
        made_later(tables.records_csv, first, trained),  # on the click, not every rerun
        file_name="gradients_through_time.csv",
        mime="text/csv",
        icon=":material/download:",
    )

urlstate.publish()
