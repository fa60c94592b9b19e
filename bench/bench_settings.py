"""cpdnet's settings with a URLconf that adds the benchmark's constant view."""

from cpdnet.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"
