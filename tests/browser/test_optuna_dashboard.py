"""optuna-dashboard, started on the study lecture 07 makes, shows that study and its trials."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from browser_harness import BrowserPage
from browser_material import lecture_07_study
from browser_servers import optuna_dashboard


def test_optuna_dashboard_shows_the_trials_of_the_lecture_07_study(
    jupyter_env: dict[str, str], browser_page: BrowserPage, server_log, tmp_path: Path
):
    study = lecture_07_study(tmp_path)
    page = browser_page.page
    with optuna_dashboard(
        study.storage, env=jupyter_env, log=server_log("optuna-dashboard"), cwd=tmp_path
    ) as server:
        status, body = server.get("/api/studies")
        assert status == 200, f"optuna-dashboard's /api/studies answered {status}"
        studies = {s["study_name"]: s["study_id"] for s in json.loads(body)["study_summaries"]}
        assert study.study_name in studies, f"optuna-dashboard's /api/studies lists {sorted(studies)}"

        page.goto(f"{server.url}/dashboard")
        try:
            page.get_by_text(study.study_name).first.wait_for(timeout=60_000)
        except PlaywrightTimeout:
            pytest.fail(f"the dashboard's study list does not show the study {study.study_name!r}")
        browser_page.screenshot("optuna_dashboard_studies")

        page.goto(f"{server.url}/dashboard/studies/{studies[study.study_name]}/trials")
        for number in range(study.n_trials):
            try:
                page.get_by_text(f"Trial {number}", exact=True).first.wait_for(timeout=30_000)
            except PlaywrightTimeout:
                pytest.fail(
                    f"the dashboard's trial list of {study.study_name!r} does not show 'Trial {number}'"
                )
        browser_page.screenshot("optuna_dashboard_trials")
        remote = browser_page.remote_requests()
        assert not remote, f"optuna-dashboard requested URLs outside 127.0.0.1: {remote[:10]}"
