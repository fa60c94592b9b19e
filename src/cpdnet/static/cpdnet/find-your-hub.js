// Enhance the "Find your hub" search box with suggestions as you type. Without JavaScript the
// form submits and the results page lists the matching schools.
const container = document.getElementById('q-container')
const input = document.getElementById('q')

if (container && input && window.accessibleAutocomplete) {
  const suggestUrl = container.dataset.suggestUrl
  const schoolUrl = container.dataset.schoolUrl
  const describedBy = input.getAttribute('aria-describedby')
  const invalid = input.classList.contains('govuk-input--error')
  let lastResults = []
  let controller = null

  const label = (school) => school
    ? `${school.name}${school.town ? ', ' + school.town : ''}${school.status === 'closed' ? ' (closed)' : ''}`
    : ''

  const source = (query, populate) => {
    if (controller) controller.abort()
    controller = new AbortController()
    fetch(`${suggestUrl}?q=${encodeURIComponent(query)}&page_size=10`, { signal: controller.signal, headers: { Accept: 'application/json' } })
      .then((response) => response.ok ? response.json() : { items: [] })
      .then((body) => { lastResults = body.items || []; populate(lastResults) })
      .catch((error) => { if (error.name !== 'AbortError') populate([]) })
  }

  const value = input.value
  input.remove()
  window.accessibleAutocomplete({
    element: container,
    id: 'q',
    name: 'q',
    defaultValue: value,
    minLength: 2,
    showNoOptionsFound: false,
    confirmOnBlur: false,
    source,
    templates: {
      inputValue: (school) => (typeof school === 'string' ? school : school ? school.name : ''),
      suggestion: (school) => (typeof school === 'string' ? school : label(school))
    },
    onConfirm: (school) => {
      if (school && school.urn) {
        window.location.href = schoolUrl.replace('/0/', `/${school.urn}/`)
      }
    }
  })
  const enhanced = document.getElementById('q')
  if (describedBy) enhanced.setAttribute('aria-describedby', `${describedBy} ${enhanced.getAttribute('aria-describedby') || ''}`.trim())
  if (invalid) enhanced.classList.add('govuk-input--error')
  enhanced.classList.add('govuk-!-width-two-thirds')
}
