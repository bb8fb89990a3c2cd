// graphql-schema-linter's configuration (a JS file so that every choice can say why).
// Run: `npm ci && npx graphql-schema-linter` (also in .ci/run; README, Checks). It lints the
// committed SDL, which `python3 dev.py export-schema` writes from the strawberry types: fix a
// finding in the Python definitions (a description= or a docstring), then export again.
module.exports = {
  schemaPaths: ['schema.graphql'],
  // Only the rules listed here run.
  rules: [
    // Every type, field, argument, input field and enum value says what it is: the schema is
    // the front end's only documentation (GraphiQL shows these).
    'types-have-descriptions',
    'fields-have-descriptions',
    'arguments-have-descriptions',
    'input-object-values-have-descriptions',
    'enum-values-have-descriptions',
    // Chinese descriptions pass trivially (a CJK character has no case); what it still catches
    // is an English description starting in lower case, which is worth fixing.
    'descriptions-are-capitalized',
    'deprecations-have-a-reason',
    // Naming: GraphQL's conventions, which strawberry's auto_camel_case already produces.
    'types-are-capitalized',
    'fields-are-camel-cased',
    'input-object-values-are-camel-cased',
    'enum-values-all-caps',
    // Every list is paged the Relay way (XConnection / XEdge / PageInfo, first/after).
    'relay-connection-types-spec',
    'relay-connection-arguments-spec',
    'relay-page-info-spec',
    // A type nobody can reach is dead code in the contract.
    'defined-types-are-used',
  ],
  // Turned off, and why:
  // - type-fields-sorted-alphabetically, interface-fields-sorted-alphabetically,
  //   input-object-fields-sorted-alphabetically: the SDL keeps the order the fields are
  //   declared in Python, which groups them by meaning (id first, then the record's own
  //   facts, then its relations; an input's required fields before its optional ones).
  //   Alphabetical order would scatter those groups, and the SDL is generated, not edited.
  // - enum-values-sorted-alphabetically: enum values are in domain order (DeclarationStatus
  //   DRAFT, PENDING_REVIEW, APPROVED … as the workflow goes; EducationLevel from DOCTORATE
  //   down to SECONDARY; AccountKind person, unit, office); GraphiQL and the front end list them in that order.
};
