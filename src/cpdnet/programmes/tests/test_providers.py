"""Providers: every hub has one; offerings belong to a provider."""

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError

from cpdnet.hubs.models import Hub
from cpdnet.programmes.models import Provider, ProviderKind
from tests.factories import HubFactory, NetworkFactory, OfferingFactory

pytestmark = pytest.mark.django_db


def test_a_new_hub_gets_its_provider_and_keeps_it_in_step():
    # Given a new hub
    hub = HubFactory(name="North Hub", email="north@example.org")

    # Then it has a provider of kind hub with its name and network
    provider = Provider.objects.get(hub=hub)
    assert (provider.kind, provider.name, provider.network_id) == (
        ProviderKind.HUB,
        "North Hub",
        hub.network_id,
    )

    # And renaming the hub renames its provider, without a second row
    hub.name = "North East Hub"
    hub.save()
    assert list(Provider.objects.filter(hub=hub).values_list("name", flat=True)) == [
        "North East Hub"
    ]


def test_the_backfill_gives_providers_to_hubs_that_have_none():
    # Given hubs written without signals (as before providers existed)
    network = NetworkFactory()
    Hub.objects.bulk_create(
        [Hub(network=network, slug=f"old-{n}", name=f"Old {n}") for n in range(3)]
    )
    assert not Provider.objects.filter(hub__slug__startswith="old-").exists()

    # When the data migration runs (twice: it must be safe to run again)
    backfill = importlib.import_module("cpdnet.programmes.migrations.0006_backfill_hub_providers")
    backfill.forwards(apps, None)
    backfill.forwards(apps, None)

    # Then each has exactly one provider of kind hub
    providers = Provider.objects.filter(hub__slug__startswith="old-")
    assert sorted(providers.values_list("slug", flat=True)) == [
        "old-0",
        "old-1",
        "old-2",
    ]
    assert set(providers.values_list("kind", flat=True)) == {ProviderKind.HUB}


def test_a_hub_provider_needs_its_hub():
    with pytest.raises(IntegrityError):
        Provider.objects.create(kind=ProviderKind.HUB, name="No hub", slug="no-hub")


def test_a_national_provider_has_no_hub():
    hub = HubFactory()
    Provider.objects.filter(hub=hub).delete()

    with pytest.raises(IntegrityError):
        Provider.objects.create(kind=ProviderKind.PARTNER, name="Partner", slug="p", hub=hub)


def test_a_hub_offering_is_provided_by_the_hub():
    offering = OfferingFactory()

    assert offering.provider == offering.hub.provider
    assert not offering.is_national
