"""National staff: documents on programme pages (information sheets, assessment criteria) and
the national materials library that offerings reuse. Every page is national staff only."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpdnet.accounts.permissions import Access, declare
from cpdnet.delivery import selectors, services
from cpdnet.delivery.models import Material, ProgrammeDocument
from cpdnet.delivery.services import DeliveryError
from cpdnet.programmes.models import Programme

from .forms import MaterialForm, ProgrammeDocumentForm, ProgrammeDocumentReplaceForm

PER_PAGE = 50


def _data(request) -> tuple:
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _programme(programme_id: int) -> Programme:
    try:
        return Programme.objects.get(pk=programme_id)
    except Programme.DoesNotExist:
        raise Http404("No programme has this number") from None


def _document(programme: Programme, document_id: int) -> ProgrammeDocument:
    try:
        return programme.documents.get(pk=document_id)
    except ProgrammeDocument.DoesNotExist:
        raise Http404("No document of this programme has this number") from None


def _material(material_id: int) -> Material:
    try:
        return Material.objects.get(pk=material_id)
    except Material.DoesNotExist:
        raise Http404("No library material has this number") from None


@declare(Access.NATIONAL_STAFF)
def programme_list(request):
    programmes = Programme.objects.annotate(document_count=Count("documents")).order_by("title")
    page = Paginator(programmes, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/materials/programme_list.html",
        {"page": page, "programmes": page.object_list},
    )


@declare(Access.NATIONAL_STAFF)
def programme_documents(request, programme_id: int):
    programme = _programme(programme_id)
    form = ProgrammeDocumentForm(*_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_programme_document(
                programme=programme,
                by=request.user,
                kind=data["kind"],
                title=data["title"],
                upload=data["file"],
            )
        except DeliveryError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(request, _("Document added: %(title)s") % {"title": data["title"]})
            return redirect("backoffice:programme-documents", programme_id=programme.pk)
    return render(
        request,
        "backoffice/materials/programme_documents.html",
        {
            "programme": programme,
            "documents": selectors.list_programme_documents(programme),
            "form": form,
        },
    )


@declare(Access.NATIONAL_STAFF)
def programme_document_replace(request, programme_id: int, document_id: int):
    programme = _programme(programme_id)
    document = _document(programme, document_id)
    form = ProgrammeDocumentReplaceForm(*_data(request), initial={"title": document.title})
    if request.method == "POST" and form.is_valid():
        services.replace_programme_document(
            document=document,
            by=request.user,
            title=form.cleaned_data["title"],
            upload=form.cleaned_data["file"],
        )
        messages.success(request, _("Document changed: %(title)s") % {"title": document.title})
        return redirect("backoffice:programme-documents", programme_id=programme.pk)
    return render(
        request,
        "backoffice/materials/programme_document_replace.html",
        {"programme": programme, "document": document, "form": form},
    )


@declare(Access.NATIONAL_STAFF)
@require_POST
def programme_document_remove(request, programme_id: int, document_id: int):
    programme = _programme(programme_id)
    document = _document(programme, document_id)
    services.remove_programme_document(document=document, by=request.user)
    messages.success(request, _("Document removed: %(title)s") % {"title": document.title})
    return redirect("backoffice:programme-documents", programme_id=programme.pk)


@declare(Access.NATIONAL_STAFF)
def material_list(request):
    form = MaterialForm(*_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            material = services.save_material(
                by=request.user, details=form.details(), upload=form.cleaned_data["file"]
            )
        except DeliveryError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(
                request, _("Added to the library: %(title)s") % {"title": material.title}
            )
            return redirect("backoffice:materials")
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.list_materials(query=query), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "backoffice/materials/material_list.html",
        {"page": page, "materials": page.object_list, "form": form, "query": query},
    )


@declare(Access.NATIONAL_STAFF)
def material_edit(request, material_id: int):
    material = _material(material_id)
    initial = {
        "title": material.title,
        "description": material.description,
        "phase": material.phase,
        "programmes": list(material.programmes.all()),
        "url": material.url,
        "is_public": material.is_public,
    }
    form = MaterialForm(*_data(request), initial=initial, has_file=material.has_file)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_material(
                by=request.user,
                details=form.details(),
                upload=form.cleaned_data["file"],
                material=material,
            )
        except DeliveryError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(
                request,
                _("Library material changed: %(title)s. Every offering reusing it shows it.")
                % {"title": material.title},
            )
            return redirect("backoffice:materials")
    return render(
        request,
        "backoffice/materials/material_edit.html",
        {"material": material, "form": form, "uses": material.resources.count()},
    )


@declare(Access.NATIONAL_STAFF)
@require_POST
def material_remove(request, material_id: int):
    material = _material(material_id)
    try:
        services.remove_material(material=material, by=request.user)
    except DeliveryError as error:
        messages.error(request, error.reason)
        return redirect("backoffice:material", material_id=material.pk)
    messages.success(request, _("Removed from the library: %(title)s") % {"title": material.title})
    return redirect("backoffice:materials")
