"""The receipt desk: what the form, the API and the CLI call. It builds the readers and the
rules from the settings once, checks the upload, runs the service and sends the confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from conductor.config import Settings
from conductor.loyalty import notify, service
from conductor.loyalty.customers import Submitter
from conductor.loyalty.extraction import Extractor
from conductor.loyalty.models import Receipt
from conductor.loyalty.photo import check_upload
from conductor.loyalty.points import PointsRules
from conductor.loyalty.service import Checks, Correction, Outcome
from conductor.mail import MailSettings, mail_enabled


@dataclass
class ReceiptDesk:
    extractor: Extractor
    checks: Checks
    max_bytes: int
    shop: str
    region: str = "US"
    second: Extractor | None = None
    mail: MailSettings | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        extractor: Extractor | None = None,
        second: Extractor | None = None,
    ) -> ReceiptDesk:
        """``extractor`` defaults to tesseract; ``second`` to the vision model when one is set."""
        if extractor is None:
            from conductor.loyalty.ocr import TesseractExtractor

            extractor = TesseractExtractor()
        if second is None and settings.loyalty_vision_model and settings.llm_base_url:
            from conductor.loyalty.vision import VisionExtractor

            second = VisionExtractor(
                base_url=settings.llm_base_url,
                model=settings.loyalty_vision_model,
                api_key=settings.llm_api_key or None,
                timeout=settings.llm_timeout_s * 3,
            )
        checks = Checks(
            rules=PointsRules.from_settings(settings),
            zone=settings.zone,
            min_confidence=settings.loyalty_min_confidence,
            max_age=timedelta(days=settings.loyalty_max_receipt_age_days),
        )
        return cls(
            extractor=extractor,
            checks=checks,
            max_bytes=int(settings.loyalty_max_upload_mb * 1_000_000),
            shop=settings.business_name,
            region=settings.default_region,
            second=second,
            mail=MailSettings.from_settings(settings) if mail_enabled(settings) else None,
        )

    def submit(
        self,
        session: Session,
        who: Submitter,
        data: bytes,
        content_type: str | None,
        *,
        now: datetime,
        channel: str = "form",
    ) -> Outcome:
        """Check the photo (UploadError says what is wrong), then read, decide and confirm."""
        photo = check_upload(data, content_type, max_bytes=self.max_bytes)
        outcome = service.submit_receipt(
            session,
            who,
            photo,
            extractor=self.extractor,
            checks=self.checks,
            now=now,
            channel=channel,
            second=self.second,
        )
        self._confirm(session, outcome, now=now)
        return outcome

    def correct(
        self,
        session: Session,
        receipt: Receipt,
        correction: Correction,
        *,
        actor: str,
        now: datetime,
    ) -> list[str]:
        return service.correct_receipt(
            session, receipt, correction, checks=self.checks, actor=actor, now=now
        )

    def approve(self, session: Session, receipt: Receipt, *, actor: str, now: datetime) -> Outcome:
        outcome = service.approve_receipt(
            session, receipt, rules=self.checks.rules, actor=actor, now=now
        )
        self._confirm(session, outcome, now=now)
        return outcome

    def reject(
        self, session: Session, receipt: Receipt, *, note: str, actor: str, now: datetime
    ) -> Outcome:
        outcome = service.reject_receipt(session, receipt, note=note, actor=actor, now=now)
        self._confirm(session, outcome, now=now)
        return outcome

    def _confirm(self, session: Session, outcome: Outcome, *, now: datetime) -> None:
        notify.confirm(
            session,
            outcome.receipt,
            earned=outcome.customer_points,
            shop=self.shop,
            now=now,
            mail=self.mail,
            region=self.region,
        )
