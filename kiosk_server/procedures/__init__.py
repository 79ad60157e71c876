"""Procedures written in the console and sent to the kiosks (issue 16).

- :mod:`checking`: the practice checker run on a version's YAML text (its findings, by line);
- :mod:`review`: review states (draft -> submitted -> approved -> published), publication
  scopes and who may approve or publish where;
- :mod:`store`: versions, review, publication, restore, import/export, each site's choice;
- :mod:`bundles`: each site's catalogue version and its signed bundle (kiosk_wire.bundle);
- :mod:`figures`: residents' results per version (the activity record's procedure_version).

The YAML text of a version is the one source of truth: the server keeps it as saved and sends
it as is; whatever the console shows is read from it.
"""
