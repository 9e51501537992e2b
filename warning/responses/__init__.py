"""The zone's responses to measures (issue 19): from a company's concern to a comment sent in time.

What it holds: the life of a response file and the status changes it allows
(``lifecycle``), the check of uploaded files by their content and their
storage outside the web root by sha256 (``attachments``), the enquiry-point date
and the export value at stake that prefills a concern (``figures``), the
submission of concerns and full-text requests (``concerns``) and the emails
companies get at each step (``notify``). The staff side (queue, drafting,
approval, sending to the enquiry point, reminders) builds on these.

What it may import: the foundations at ``warning/``'s root (types, config,
exceptions, clock, runtime, members), ``warning.storage``, ``warning.levels``
(the figures at stake), ``classifiers`` (nomenclature) and ``notifications``
(message building, links, plain words). Never ``warning.web``: the pages
import this package, not the other way round.
"""
