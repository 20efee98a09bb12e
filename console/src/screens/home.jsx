// Home: who you are, your place with its names, what you may do, and the deployment's categories and deadlines.
import { nameOf, localName, t } from '../i18n.js';
import { within } from '../reference.js';
import { href } from '../router.js';
import { PlaceName, Section } from '../ui.jsx';
import { SCREENS } from './index.js';

function Names({ names }) {
  return (
    <dl class="names">
      {['zh', 'en', 'ug', 'mn'].filter((l) => names[l]).map((l) => (
        <>
          <dt>{t(`language.${l}`)}</dt>
          <dd lang={l} dir={l === 'ug' ? 'rtl' : undefined}>{names[l]}</dd>
        </>
      ))}
    </dl>
  );
}

function duration(d) {
  return t(`unit.${d.unit}`, { n: d.amount });
}

export function Home({ session }) {
  const { me, ref } = session;
  const place = me.department || me.grid || me.node;
  const county = place && [...ref.nodes.values()].find((n) => n.level === 'county' &&
    within(me.department ? me.department.node : place.code, n.code));
  const departments = [...ref.departments.values()].filter((d) => !county || within(d.node, county.code));
  const screens = SCREENS.filter((s) => s.menu && s.path !== '/' && s.allowed(me));
  return (
    <>
      <h1>{t('home.title', { name: me.name || me.user_id })}</h1>
      <div class="cards">
        <Section title={t('home.place')} id="home-place">
          <p><strong>{t(`role.${me.role}`)}</strong>{place && <> · <PlaceName node={place} /></>}</p>
          {place && <Names names={place.names} />}
          <p class="note">{t('home.timezone', { zone: me.timezone })}</p>
        </Section>
        <Section title={t('home.abilities')} id="home-abilities">
          {screens.length > 0 &&
            <ul class="links">{screens.map((s) => <li><a href={href(s.path)}>{t(s.title)}</a></li>)}</ul>}
          {me.role === 'grid_member' && <p>{t('home.no_screens')}</p>}
          <ul class="abilities">{me.abilities.map((a) => <li>{t(`ability.${a}`)}</li>)}</ul>
        </Section>
      </div>
      <Section title={t('home.categories')} id="home-categories">
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('field.category')}</th><th scope="col">{t('field.kind')}</th>
                <th scope="col">{t('home.visibility')}</th><th scope="col">{t('deadline.triage')}</th>
                <th scope="col">{t('deadline.report_in')}</th><th scope="col">{t('deadline.resolve')}</th>
              </tr>
            </thead>
            <tbody>
              {[...ref.categories.values()].map((c) => (
                <tr>
                  <th scope="row">{nameOf(c.names)}</th>
                  <td>{t(`kind.${c.kind}`)}</td>
                  <td>{c.sensitive ? t('category.sensitive') : c.public ? t('category.public') : t('category.internal')}</td>
                  <td>{duration(c.deadlines.triage.normal)}</td>
                  <td>{duration(c.deadlines.report_in.normal)}</td>
                  <td>{duration(c.deadlines.resolve.normal)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p class="note">{t('home.deadline_note')}</p>
      </Section>
      <Section title={county ? t('home.departments_of', { place: nameOf(county.names) }) : t('home.departments')}
        id="home-departments">
        <ul class="columns">
          {departments.map((d) => (
            <li>{nameOf(d.names)} <bdi class="local-name">{localName(d.names)}</bdi></li>
          ))}
        </ul>
      </Section>
    </>
  );
}
