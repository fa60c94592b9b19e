// Suggest schools as the applicant types their school's name; choosing one fills the hidden URN
// so the server need not guess. Without JavaScript the server searches the name typed and, when
// several schools match, asks the applicant to choose among them.
const container = document.getElementById('school-container')
const input = document.getElementById('id_school')
const urn = document.getElementById('id_urn')

if (container && input && urn && window.accessibleAutocomplete) {
  const suggestUrl = container.dataset.suggestUrl
  const describedBy = input.getAttribute('aria-describedby')
  const invalid = input.classList.contains('govuk-input--error')
  let controller = null

  const label = (school) => school
    ? `${school.name}${school.town ? ', ' + school.town : ''} (URN ${school.urn})${school.status === 'closed' ? ' (closed)' : ''}`
    : ''

  const source = (query, populate) => {
    if (controller) controller.abort()
    controller = new AbortController()
    fetch(`${suggestUrl}?q=${encodeURIComponent(query)}&page_size=10`, { signal: controller.signal, headers: { Accept: 'application/json' } })
      .then((response) => response.ok ? response.json() : { items: [] })
      .then((body) => populate(body.items || []))
      .catch((error) => { if (error.name !== 'AbortError') populate([]) })
  }

  const value = input.value
  input.remove()
  window.accessibleAutocomplete({
    element: container,
    id: 'id_school',
    name: 'school',
    defaultValue: value,
    minLength: 2,
    showNoOptionsFound: false,
    confirmOnBlur: false,
    source,
    templates: {
      inputValue: (school) => (typeof school === 'string' ? school : school ? school.name : ''),
      suggestion: (school) => (typeof school === 'string' ? school : label(school))
    },
    onConfirm: (school) => { if (school && school.urn) urn.value = school.urn }
  })
  const enhanced = document.getElementById('id_school')
  // Typing after choosing means another school: let the server search the new name.
  enhanced.addEventListener('input', () => { urn.value = '' })
  if (describedBy) enhanced.setAttribute('aria-describedby', `${describedBy} ${enhanced.getAttribute('aria-describedby') || ''}`.trim())
  if (invalid) enhanced.classList.add('govuk-input--error')
}
