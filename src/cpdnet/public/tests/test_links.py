import pytest
from django.template import Context, Template
from django.urls import reverse

from cpdnet.links import page_path, school_path


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [("public:home", {}), ("public:find-your-hub", {}), ("public:school", {"urn": 0})],
)
def test_a_kept_path_is_the_one_reverse_gives(name, kwargs):
    assert page_path(name, **kwargs) == reverse(name, kwargs=kwargs)


def test_a_schools_path_is_the_one_reverse_gives():
    assert school_path(142835) == reverse("public:school", kwargs={"urn": 142835})


def test_the_template_tag_writes_the_path_as_the_url_tag_does():
    template = Template(
        "{% load page_paths %}{% page_path 'public:help' %} {% url 'public:help' %} "
        "{% page_path 'public:school' urn=0 %} {% url 'public:school' urn=0 %}"
    )

    kept, reversed_, kept_school, reversed_school = template.render(Context()).split()

    assert (kept, kept_school) == (reversed_, reversed_school)
