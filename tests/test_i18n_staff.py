"""Staff screens, mail and reports in Spanish: the catalogue is complete, each staff page
and each email reads in Spanish, mail goes out in the language its recipient chose, and a
Spanish report downloads as Word and PDF with the English one's structure.

Pages are asked for with their addresses reversed in Spanish, so they keep working once
the site serves Spanish under /es/."""

import io
import re
from datetime import timedelta
from html import unescape
from pathlib import Path

import docx
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from jurisdictions.models import Invitation, Membership, Subscription
from jurisdictions.reports.document import assemble
from jurisdictions.reports.models import Report
from jurisdictions.reports.wordcount import count_words
from jurisdictions.tasks import send_digests
from recommendations.models import ImportRun
from tests import factories as f
from tests.staff_pages import CURATOR, MANAGER, build_staff_scene

User = get_user_model()
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"


def catalogue_entries() -> list[dict]:
    """The .po file's entries: msgid, msgstr (all plural forms joined) and flags."""
    entries, entry, field = [], None, None
    for line in CATALOGUE.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry is not None:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": "", "msgid": "", "msgstr": [], "msgctxt": ""}
        if line.startswith("#,"):
            entry["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgid_plural ", "msgid ", "msgctxt ")):
            field = line.split(" ", 1)[0]
            if field != "msgid_plural":
                entry[field] = eval_po(line.split(" ", 1)[1])
        elif line.startswith("msgstr"):
            field = "msgstr"
            entry["msgstr"].append(eval_po(line.split(" ", 1)[1]))
        elif line.startswith('"') and field:
            if field == "msgstr":
                entry["msgstr"][-1] += eval_po(line)
            elif field != "msgid_plural":
                entry[field] += eval_po(line)
    return [e for e in entries if e["msgid"]]


def eval_po(quoted: str) -> str:
    body = quoted.strip()[1:-1]
    return body.replace(r"\"", '"').replace(r"\n", "\n").replace("\\\\", "\\")


def test_every_message_of_the_catalogue_is_translated_and_none_is_fuzzy():
    entries = catalogue_entries()
    assert len(entries) > 500
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    untranslated = [e["msgid"] for e in entries if not all(s.strip() for s in e["msgstr"])]
    assert fuzzy == []
    assert untranslated == []


def test_the_compiled_catalogue_answers_in_spanish():
    with translation.override("es"):
        assert translation.gettext("Review queue") == "Cola de revisión"
        assert translation.gettext("Stakeholder submission") == (
            "Contribución de partes interesadas"
        )
        assert translation.pgettext("digest item", "new") == "nuevo"


def english_phrases() -> list[str]:
    """Our own interface texts of three words or more, without placeholders or markup: on
    a Spanish page, any of them is English left over."""
    phrases = []
    for e in catalogue_entries():
        text = e["msgid"]
        if "%" in text or "{" in text or "<" in text or "\n" in text:
            continue
        if len(text.split()) >= 3 and e["msgstr"][0] != text:
            phrases.append(text)
    return phrases


def visible_text(html: str) -> str:
    """The text of the page's main content: the layout around it (base.html) is the public
    site's, translated on its own."""
    main = re.search(r"<main\b.*?</main>", html, flags=re.S)
    html = main.group(0) if main else html
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.mark.django_db
def test_every_staff_page_reads_in_spanish(client):
    with translation.override("es"):
        scene = build_staff_scene()
    leftovers = english_phrases()
    for email, paths in scene.pages.items():
        client.logout()
        if email:
            client.force_login(User.objects.get(email=email))
        for path in paths:
            with translation.override("es"):
                response = client.get(path)
            assert response.status_code == 200, path
            text = visible_text(response.content.decode())
            if email and "/manage/" in path:  # the staff menu (not on /subscriptions/mine/)
                assert "Mis jurisdicciones" in text, path
            found = [phrase for phrase in leftovers if phrase in text]
            assert found == [], (path, found)


@pytest.mark.django_db
def test_staff_pages_name_their_fields_and_actions_in_spanish(client):
    with translation.override("es"):
        scene = build_staff_scene()
        client.force_login(User.objects.get(email=MANAGER))
        home, jurisdiction, create = scene.pages[MANAGER][:3]
        page = visible_text(client.get(jurisdiction).content.decode())
        assert "De un vistazo" in page and "Invitar a alguien" in page
        assert "Idioma de sus correos" in page
        form = visible_text(client.get(create).content.decode())
        assert "¿Qué tipo de acto es?" in form and "Fecha meta" in form
        assert "Guardar borrador" in form
        client.force_login(User.objects.get(email=CURATOR))
        queue = visible_text(client.get(reverse("staff:review-queue")).content.decode())
        assert "Cola de revisión" in queue and "Devolver con un motivo" in queue
        imports = visible_text(client.get(reverse("imports:list")).content.decode())
        assert "Importar recomendaciones" in imports and "Simulación" in imports


@pytest.mark.django_db
def test_the_same_staff_page_in_english_is_unchanged(client):
    scene = build_staff_scene()
    client.force_login(User.objects.get(email=MANAGER))
    page = visible_text(client.get(scene.pages[MANAGER][1]).content.decode())
    assert "At a glance" in page and "Invite someone" in page
    assert "De un vistazo" not in page


@pytest.mark.django_db
def test_a_form_error_and_a_flash_message_are_in_spanish(client):
    town = f.jurisdiction(name="Pittsburgh", slug="pittsburgh")
    person = f.user()
    f.membership(person, town)
    client.force_login(person)
    with translation.override("es"):
        url = reverse("staff:commitment-create", args=[town.slug])
        response = client.post(
            url,
            {
                "title": "Ordenanza de vivienda justa",
                "kind": "ordinance",
                "status": "adopted",
                "adopted_on": "2024-05-01",
                "target_date": "2024-01-01",
            },
        )
        assert "La fecha meta no puede ser anterior a la fecha de adopción." in (
            response.content.decode()
        )
        response = client.post(
            url, {"title": "Ordenanza de vivienda justa", "kind": "ordinance", "status": "adopted"}
        )
        page = client.get(response["Location"]).content.decode()
    assert "Guardado como borrador. Ahora vincúlelo a las recomendaciones" in page


# --- Mail ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_subscription_made_in_spanish_confirms_and_sends_its_digests_in_spanish(
    client, django_capture_on_commit_callbacks
):
    town = f.jurisdiction(name="Pittsburgh", slug="pittsburgh")
    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("subscriptions:subscribe"),
            {"email": "lectora@example.org", "jurisdiction": "Pittsburgh"},
        )
    subscription = Subscription.objects.get(email="lectora@example.org")
    assert subscription.language == "es"
    confirmation = mail.outbox[-1]
    assert confirmation.subject == "Confirme su suscripción a UPR Tracker"
    assert "Para confirmar, abra este enlace" in confirmation.body

    Subscription.objects.filter(pk=subscription.pk).update(
        confirmed_at=timezone.now() - timedelta(days=3)
    )
    f.commitment(jurisdiction=town, title="Fair housing ordinance", published_at=timezone.now())
    # The worker runs in English; the digest follows the subscriber's choice.
    with translation.override("en"):
        send_digests()
    digest = mail.outbox[-1]
    assert digest.to == ["lectora@example.org"]
    assert digest.subject == "UPR Tracker: 1 compromiso nuevo o modificado"
    assert "Compromisos nuevos y modificados, semana del" in digest.body
    assert "[nuevo] Fair housing ordinance" in digest.body
    assert "Cancelar la suscripción a Pittsburgh" in digest.body


@pytest.mark.django_db
def test_a_subscription_made_in_english_keeps_english_mail(
    client, django_capture_on_commit_callbacks
):
    f.jurisdiction(name="Pittsburgh", slug="pittsburgh")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("subscriptions:subscribe"),
            {"email": "reader@example.org", "jurisdiction": "Pittsburgh"},
        )
    assert Subscription.objects.get().language == "en"
    assert mail.outbox[-1].subject == "Confirm your UPR Tracker subscription"


@pytest.mark.django_db
def test_an_invitation_in_spanish_is_mailed_in_spanish_and_so_is_the_staff_digest(client):
    town = f.jurisdiction(name="Pittsburgh", slug="pittsburgh")
    manager = f.user()
    f.membership(manager, town, role="manager")
    client.force_login(manager)
    # An English page; the manager chooses Spanish for the newcomer.
    client.post(
        reverse("staff:invite", args=[town.slug]),
        {"email": "nueva@pittsburgh.example", "role": "editor", "language": "es"},
    )
    invitation = Invitation.objects.get(email="nueva@pittsburgh.example")
    assert invitation.language == "es"
    message = mail.outbox[-1]
    assert message.subject == "Le invitamos a llevar los registros de Pittsburgh en UPR Tracker"
    assert "Le invitaron a unirse a Pittsburgh en UPR Tracker como editor/a." in message.body
    assert "en un plazo de 7 días" in message.body
    link = re.search(r"https?://\S+", message.body).group(0)

    client.logout()
    response = client.post(
        link, {"password1": "tenant-rights-2024!", "password2": "tenant-rights-2024!"}
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="nueva@pittsburgh.example")
    assert membership.language == "es"

    f.commitment(jurisdiction=town, title="Late plan", is_overdue=True)
    send_digests()
    mails = {m.to[0]: m for m in mail.outbox}
    spanish = mails["nueva@pittsburgh.example"]
    assert spanish.subject.startswith("UPR Tracker: 1 elemento necesita")
    assert "Compromisos de sus jurisdicciones que requieren atención" in spanish.body
    english = mails[manager.email]
    assert "Commitments of your jurisdictions that need attention" in english.body


@pytest.mark.django_db
def test_the_invitation_form_offers_the_languages_and_defaults_to_the_page_language():
    from jurisdictions.forms import InvitationForm

    with translation.override("es"):
        form = InvitationForm(roles=["editor"])
        assert form.fields["language"].initial == "es"
        assert dict(form.fields["language"].choices) == dict(settings.LANGUAGES)
        bound = InvitationForm({"email": "a@example.org", "role": "editor"}, roles=["editor"])
        assert bound.is_valid() or "email" in bound.errors
        if bound.is_valid():
            assert bound.cleaned_data["language"] == "es"


def test_every_email_template_renders_in_spanish():
    context = {
        "period": timezone.localdate(),
        "site_url": "https://upr.example",
        "overdue": [],
        "stale": [],
        "milestones": [],
        "indicators": [],
        "opt_out_url": "https://upr.example/off",
        "sections": [],
        "confirm_url": "https://upr.example/c",
        "unsubscribe_url": "https://upr.example/u",
        "days": 7,
        "subscription": {"target": "Pittsburgh"},
    }
    with translation.override("es"):
        staff = render_to_string("email/digest_staff.txt", context)
        subscriber = render_to_string("email/digest_subscriber.txt", context)
        confirm = render_to_string("email/confirm_subscription.txt", context)
    assert "Para dejar de recibir este correo semanal, abra:" in staff
    assert "Recibe este correo porque se suscribió en UPR Tracker." in subscriber
    assert confirm.startswith("Hola:")
    assert "Si no lo pidió, ignore este mensaje" in confirm


# --- Reports ---------------------------------------------------------------------------


def structure(document) -> list[tuple[str, str]]:
    """(style, text) of every heading, title and caption: the outline a reader skims."""
    return [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name.startswith(("Heading", "Title", "Caption"))
    ]


def styles(document) -> list[str]:
    return [p.style.name for p in document.paragraphs]


def outline(reader) -> list[str]:
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


@pytest.mark.django_db
def test_a_spanish_submission_has_the_english_ones_structure_in_word_and_pdf(client, report_data):
    ids = "&".join(
        f"ids={pk}"
        for pk in (report_data.shelter.pk, report_data.water_rec.pk, report_data.quiet.pk)
    )
    files = {}
    for language in ("en", "es"):
        for fmt in ("docx", "pdf"):
            url = f"/reports/submission.{fmt}?{ids}&language={language}&introduction=Texto"
            response = client.get(url)
            assert response.status_code == 200, (language, fmt)
            files[language, fmt] = response.content
    english = docx.Document(io.BytesIO(files["en", "docx"]))
    spanish = docx.Document(io.BytesIO(files["es", "docx"]))
    assert styles(spanish) == styles(english)
    assert len(spanish.tables) == len(english.tables)
    en_outline, es_outline = structure(english), structure(spanish)
    assert [style for style, _text in es_outline] == [style for style, _text in en_outline]
    es_headings = [text for style, text in es_outline if style == "Heading 1"]
    assert es_headings[:3] == ["Introducción", "Resumen", "Recomendaciones y su implementación"]
    assert [text for style, text in en_outline if style == "Heading 1"][:3] == [
        "Introduction",
        "Summary",
        "Recommendations and their implementation",
    ]
    assert es_outline[0][1].startswith(
        "Contribución de partes interesadas sobre los Estados Unidos"
    )
    assert spanish.core_properties.language == "es"
    # The citations and the recommendations' own words are data: the same in both.
    es_citations = [text for style, text in es_outline if style == "Heading 2"]
    assert es_citations == [text for style, text in en_outline if style == "Heading 2"]

    en_pdf, es_pdf = (PdfReader(io.BytesIO(files[lang, "pdf"])) for lang in ("en", "es"))
    assert len(outline(es_pdf)) == len(outline(en_pdf)) > 3
    assert "Introducción" in outline(es_pdf) and "Introduction" in outline(en_pdf)
    assert [t for t in outline(es_pdf) if t in es_citations] == [
        t for t in outline(en_pdf) if t in es_citations
    ]
    es_text = " ".join(page.extract_text() for page in es_pdf.pages)
    assert "Recomendaciones y su implementación" in es_text


@pytest.mark.django_db
def test_a_spanish_report_counts_its_words_the_same_way(report_data):
    spec = {
        "kind": "submission",
        "limit": "individual",
        "query": "",
        "ids": [report_data.shelter.pk, report_data.water_rec.pk],
        "title": "",
        "organisations": "Red de Equidad Urbana",
        "introduction": "Presentamos esta contribución.",
        "assessments": {},
    }
    for language in ("en", "es"):
        document = assemble({**spec, "language": language})
        texts = [document.title, document.organisations, *document.counted_texts()]
        assert document.word_count == sum(count_words(text) for text in texts)
        assert document.word_limit == 2815
        assert document.introduction_heading_words == 1
    spanish = assemble({**spec, "language": "es"})
    assert spanish.kind_label == "Contribución de partes interesadas"
    assert [b.text for b in spanish.blocks if b.kind == "heading" and b.level == 1][0] == (
        "Introducción"
    )


@pytest.mark.django_db
def test_the_builder_defaults_to_the_page_language_and_a_saved_report_keeps_its_own(
    client, report_data
):
    person = f.user()
    f.membership(person, f.jurisdiction())
    client.force_login(person)
    post = {"kind": "submission", "limit": "individual", "ids": [report_data.shelter.pk]}
    with translation.override("es"):
        page = client.post(reverse("reports:new"), post).content.decode()
        assert 'value="es" lang="es" selected' in page
        assert "Idioma del informe" in page and "Introducción" in page
        client.post(reverse("reports:new"), {**post, "action": "save"})
    report = Report.objects.get()
    assert report.language == "es"
    assert report.spec()["language"] == "es"
    # Opened from an English page, the saved Spanish report stays Spanish.
    page = client.get(report.get_absolute_url()).content.decode()
    assert 'value="es" lang="es" selected' in page and "Resumen" in page
    english = client.post(reverse("reports:new"), post).content.decode()
    assert 'value="en" lang="en" selected' in english and "Summary" in english


# --- Imports ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_import_uploaded_from_a_spanish_page_reports_its_rows_in_spanish(
    client, curator, reference_data, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    name = "upr_info_bad_rows.csv"
    data = (Path(__file__).parent / "data" / name).read_bytes()
    with translation.override("es"):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("imports:list"),
                {"file": SimpleUploadedFile(name, data), "states": "USA"},
            )
        run = ImportRun.objects.get()
        assert run.options["language"] == "es"
        page = visible_text(client.get(run.get_absolute_url()).content.decode())
    assert "No se cambió nada." in page
    assert "Estado desconocido 'Atlantis'; nombres conocidos más parecidos:" in page
    assert "Filas con problemas" in page
    # The same file uploaded from an English page reports in English.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("imports:list"), {"file": SimpleUploadedFile(name, data), "states": "USA"}
        )
    english = ImportRun.objects.order_by("-pk").first()
    text = visible_text(client.get(english.get_absolute_url()).content.decode())
    assert "Unknown state 'Atlantis'; closest known names:" in text


# --- Admin -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_names_this_projects_apps_and_labels_in_spanish(client):
    from django.apps import apps

    from jurisdictions.models import Commitment, DigestDelivery

    client.force_login(f.user(is_staff=True, is_superuser=True))
    with translation.override("es"):
        assert str(apps.get_app_config("jurisdictions").verbose_name) == "Jurisdicciones"
        assert str(DigestDelivery._meta.verbose_name_plural) == "envíos de resúmenes"
        assert str(Commitment._meta.get_field("source_url").verbose_name) == "URL de la fuente"
        index = client.get(reverse("admin:index")).content.decode()
        assert "Jurisdicciones" in index and "Recomendaciones" in index
    assert str(apps.get_app_config("jurisdictions").verbose_name) == "Jurisdictions"


@pytest.mark.django_db
def test_password_reset_mail_asked_on_a_spanish_page_is_in_spanish(client):
    """allauth writes it, in its own Spanish; nothing of ours overrides its templates."""
    f.user(email="editora@pittsburgh.example")
    with translation.override("es"):
        client.post(reverse("account_reset_password"), {"email": "editora@pittsburgh.example"})
    message = mail.outbox[-1]
    assert message.to == ["editora@pittsburgh.example"]
    assert "contraseña" in message.subject.lower() + message.body.lower()
    assert "password" not in message.body.lower().replace("/password/", "")
