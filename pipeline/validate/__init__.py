"""Data contracts for the SNA inputs: clear errors on bad extracts, and no row ever lost.

The package re-exports nothing: import from the module that defines a name. That keeps
``python -m pipeline.validate.run`` from importing its own module twice (runpy warns when the
package has already imported it) and lets the workflow read :mod:`pipeline.validate.kinds`
without loading pandas and pandera.

* :func:`pipeline.validate.run.validate_input` - check one raw input against its contract;
  returns a :class:`pipeline.validate.result.ValidationResult` (rows used, rows excluded,
  reconciliation) or raises :class:`pipeline.validate.errors.ValidationStop` after writing the
  failures CSV;
* :func:`pipeline.validate.cross.check_cross_inputs` - check that one area's validated inputs
  fit together;
* :data:`pipeline.validate.schemas.MODELS` - the model of every input kind;
* ``python -m pipeline.validate.run`` and ``python -m pipeline.validate.dictionary``.
"""
