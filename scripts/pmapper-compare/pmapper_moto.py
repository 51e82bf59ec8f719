#!/usr/bin/env python3
"""Run PMapper 1.1.5 (`pmapper ARGS...`) against a moto server.

- PMapper 1.1.5 imports Mapping/MutableMapping from `collections`, gone since
  Python 3.10: the names are put back from collections.abc before it loads.
- Every botocore client it makes gets motofix.normalize on the pages of
  GetAccountAuthorizationDetails (see motofix.py).
The endpoint itself is given with PMapper's own `graph create --localstack-endpoint URL`.
"""
import collections
import collections.abc
import os
import sys

for _name in ("Mapping", "MutableMapping", "Iterable", "Sequence", "Callable"):
    setattr(collections, _name, getattr(collections.abc, _name))

import botocore.session  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import motofix  # noqa: E402

_create_client = botocore.session.Session.create_client


def _after_authz(parsed, **_):
    motofix.normalize(parsed)


def create_client(self, *args, **kwargs):
    client = _create_client(self, *args, **kwargs)
    client.meta.events.register("after-call.iam.GetAccountAuthorizationDetails", _after_authz)
    return client


botocore.session.Session.create_client = create_client

from principalmapper.__main__ import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
