"""Building blocks of the demo's messages: many small parts recombined, so no two days read alike."""

from __future__ import annotations

BRAND_HANDLE = "LarkspurAir"
BRAND_NAME = "Larkspur Air"

FIRST_NAMES = (
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Elif",
    "Femi",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kiran",
    "Lena",
    "Malik",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tess",
    "Umar",
    "Vera",
    "Wes",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Aiko",
    "Bruno",
    "Carla",
    "Diego",
    "Erin",
    "Farah",
    "Gabe",
    "Hana",
    "Ivan",
    "Jade",
)
HANDLE_TAILS = ("", "_", "x", "87", "92", "_travels", "flies", "_k", "2024", "official", "_mtl", "dev", "xo")
CITIES = (
    "Lisbon",
    "Denver",
    "Montreal",
    "Dublin",
    "Austin",
    "Porto",
    "Boston",
    "Chicago",
    "Seattle",
    "Madrid",
    "Toronto",
    "Atlanta",
    "Oslo",
    "Phoenix",
    "Nashville",
    "Vancouver",
)
EMOJI_ANGRY = ("😡", "🙄", "😤", "🤬", "smh", "ugh", "…", "!!", "")
EMOJI_HAPPY = ("🙌", "❤️", "✈️", "😊", "👏", "!", "")
OPENERS = ("", "", "Hey ", "Hi ", "So ", "Seriously ", "Um ", "Ok ", "Dear ")

COMPLAINTS: dict[str, tuple[str, ...]] = {
    "delay": (
        "{open}@{brand} flight {flight} from {city} delayed {hours} hours and nobody at the gate knows anything {angry}",
        "@{brand} {hours}h delay on {flight} and the app still says on time. Great. {angry}",
        "Sitting at gate {gate} in {city} for {hours} hours. @{brand} at least tell us what's going on",
        "{open}@{brand} third delay this month on the {city} route. I'm going to miss my meeting {angry}",
        "@{brand} {flight} pushed back again, now {minutes} minutes. No announcement, no update, nothing",
    ),
    "cancellation": (
        "@{brand} you cancelled {flight} at midnight and rebooked me two days later?? {angry}",
        "{open}@{brand} flight cancelled, hotel voucher desk closed, I'm sleeping on the floor in {city} {angry}",
        "@{brand} cancelled my flight to {city} with no reason given and the rebooking line hangs up on me",
        "Cancelled {flight} and a {hours} hour queue to rebook. Thanks @{brand} {angry}",
    ),
    "lost_bag": (
        "@{brand} my bag didn't arrive in {city}. Day {days} and the tracker shows nothing {angry}",
        "{open}@{brand} lost luggage claim filed {days} days ago, still no call back. My kid's meds were in there",
        "@{brand} where is my suitcase?? Landed in {city} on {flight}, bag went who knows where {angry}",
        "Day {days} without my luggage. @{brand} your baggage desk number rings out every time",
    ),
    "damaged_bag": (
        "@{brand} my suitcase came off {flight} with a broken handle and a torn side {angry}",
        "{open}@{brand} the wheels were ripped off my bag in {city}. Who pays for this?",
    ),
    "refund": (
        "@{brand} still waiting for my refund of ${amount} for a flight YOU cancelled. {days} weeks now {angry}",
        "{open}@{brand} I was charged twice for seat selection (${amount} x2). Please fix this",
        "@{brand} refund promised in 7 days, it's been {days} weeks. Who do I talk to? {angry}",
        "{open}@{brand} why was I charged a ${amount} change fee when the schedule change was yours?",
    ),
    "booking": (
        "@{brand} your app crashes every time I try to check in {angry}",
        "{open}@{brand} website won't let me add a bag, error 500 at payment. Tried 4 times",
        "@{brand} the app logged me out and now my booking {ref} doesn't show up anywhere",
        "Can't select seats on the @{brand} site, the seat map never loads {angry}",
    ),
    "staff": (
        "@{brand} the agent at the {city} desk was incredibly rude to my elderly mother {angry}",
        "{open}@{brand} the crew on {flight} rolled their eyes when I asked for water. Not ok",
        "@{brand} gate agent in {city} shouted at a family with a stroller. Unacceptable {angry}",
    ),
    "comfort": (
        "@{brand} wifi didn't work the whole {hours} hour flight and you still charged me ${amount}",
        "{open}@{brand} seat {seat} doesn't recline and the tray table is broken. {hours} hours like this",
        "@{brand} no vegetarian meal even though I pre-ordered it. Again. {angry}",
    ),
    "loyalty": (
        "@{brand} my Larkspur Miles from the {city} trip never posted. It's been {days} weeks",
        "{open}@{brand} status downgraded even though I flew {count} segments this year?",
    ),
}

QUESTIONS = (
    "@{brand} what's the carry-on allowance on the {city} flights?",
    "{open}@{brand} can I bring my cat in the cabin to {city}?",
    "@{brand} how early does online check-in open?",
    "@{brand} is there wifi on {flight}? Need to work during the flight",
    "{open}@{brand} can I change my flight to {city} to a day earlier, and is there a fee?",
    "@{brand} do you have a lounge in {city}?",
    "@{brand} traveling with an infant next week, do I need to add them to booking {ref}?",
    "{open}@{brand} does the basic fare include a checked bag?",
)

PRAISE = (
    "Shoutout to the crew of {flight} from {city}, so kind to my nervous kid {happy}",
    "@{brand} smooth flight, early arrival and the friendliest crew. Thank you {happy}",
    "{open}@{brand} rebooked me in 5 minutes after the cancellation, honestly impressed {happy}",
    "Got upgraded on my birthday flight to {city}, thank you @{brand} {happy}",
    "@{brand} Maria at the {city} desk found my lost passport. Hero {happy}",
    "Best legroom in economy, @{brand} never disappoints {happy}",
)

SUGGESTIONS = (
    "@{brand} would love it if the app showed gate changes as push notifications",
    "{open}@{brand} please bring back the free snack on short flights",
    "@{brand} idea: let us track our bags in the app like a parcel",
    "@{brand} you should add more plant-based meals, the one option sells out every time",
)

FOLLOW_UPS = (
    "@{brand} any update? Still waiting",
    "@{brand} it's been {hours} hours since I wrote. Anyone?",
    "@{brand} hello?? {angry}",
    "@{brand} still nothing. I'll try calling again",
    "@{brand} ok thanks, sent you the details",
)

BRAND_REPLIES = {  # by the kind of message they answer
    "complaint": (
        "Hi {name}, we're sorry to hear this. Could you send us a DM with your booking reference so we can look into it? ^{agent}",
        "{name}, that's not the experience we want for you. Our team is checking now and will update you shortly. ^{agent}",
        "Thanks for flagging this, {name}. We've passed it to the right team and will follow up today. ^{agent}",
    ),
    "question": (
        "Hi {name}! Glad to help: you'll find the details here: larkspur.example/help ^{agent}",
        "Good question, {name}: yes, and our help pages have the details at larkspur.example/help ^{agent}",
    ),
    "praise": ("Thank you for the kind words, {name}! We'll share this with the crew ^{agent}",),
    "suggestion": ("Thanks for the idea, {name}! We've passed it on to the team that plans this ^{agent}",),
}
AGENT_INITIALS = ("MK", "JT", "SR", "AL", "PD")

MARKETING_POST = "Why rush? At Larkspur we give you more time to enjoy the airport ✈️😉 #SlowDownWithLarkspur"
BURST_REACTIONS = (
    "More time at the airport? I've been here {hours} hours already #SlowDownWithLarkspur {angry}",
    "@{brand} read the room. People are stranded in {city} and you post this #SlowDownWithLarkspur",
    "#SlowDownWithLarkspur is the most honest slogan an airline has ever had lol",
    "Imagine posting 'more time to enjoy the airport' while cancelling half your flights. @{brand} {angry}",
    "@{brand} whoever approved #SlowDownWithLarkspur during a meltdown needs a long talk",
    "Stuck in {city} since yesterday and now I get marketing jokes? @{brand} {angry}",
    "@{brand} 'Why rush?' because I have a funeral to get to. Delete this.",
    "The audacity of #SlowDownWithLarkspur while my flight {flight} is delayed {hours} hours",
)
VIRAL_TWEET = (
    "Larkspur: 'Why rush? More time to enjoy the airport 😉' Me, on hour {hours} at gate {gate}: "
    "#SlowDownWithLarkspur"
)
